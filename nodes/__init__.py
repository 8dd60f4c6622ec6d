"""Neuron and stimulus models."""

from .ac_generator import AcGenerator
from .dc_generator import DcGenerator
from .glif_cond import GlifCond
from .glif_psc import GlifPsc, GlifPscDoubleAlpha
from .inhomogeneous_poisson_generator import InhomogeneousPoissonGenerator
from .noise_generator import NoiseGenerator
from .parrot_neuron import ParrotNeuron
from .poisson_generator import PoissonGenerator
from .spike_generator import SpikeGenerator
from .step_current_generator import StepCurrentGenerator

__all__ = ["AcGenerator", "DcGenerator", "GlifCond", "GlifPsc", "GlifPscDoubleAlpha", "InhomogeneousPoissonGenerator",
           "NoiseGenerator", "ParrotNeuron", "PoissonGenerator", "SpikeGenerator", "StepCurrentGenerator"]
