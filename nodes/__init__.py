"""Neuron and stimulus models, installed as ``eventsim.nodes``."""

if __name__ != "eventsim.nodes":
    # imported by its folder name from a checkout: a second copy would register the models twice and
    # write numba caches under a module name the installed package does not have
    raise ImportError(f"import the nodes package as eventsim.nodes, not as {__name__}")

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
