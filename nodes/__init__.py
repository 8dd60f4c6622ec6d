"""Neuron and stimulus models."""

from .glif_cond import GlifCond
from .glif_psc import GlifPsc, GlifPscDoubleAlpha
from .parrot_neuron import ParrotNeuron
from .poisson_generator import PoissonGenerator
from .spike_generator import SpikeGenerator
from .step_current_generator import StepCurrentGenerator

__all__ = ["GlifCond", "GlifPsc", "GlifPscDoubleAlpha", "ParrotNeuron", "PoissonGenerator", "SpikeGenerator",
           "StepCurrentGenerator"]
