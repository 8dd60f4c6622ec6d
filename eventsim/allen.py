"""GLIF neurons from the Allen Cell Types database: a ``neuron_config`` to NEST parameters.

The Allen Institute publishes each fitted GLIF cell as a ``neuron_config``
JSON file in SI units (V, A, F, Ohm, s), where a fitted value is the stored
value times its entry in ``coeffs``.  :func:`glif_params` converts one into
the parameters of ``glif_psc`` or ``glif_cond`` (NEST units: mV, pA, pF, nS,
ms) at the level the config describes, following the conversion of the
Allen Institute's BMTK and NEST's documentation:

===========================  =================================================  ==========
NEST parameter               neuron_config source                               factor
===========================  =================================================  ==========
E_L                          El + El_reference                                  1e3
V_m (initial)                init_voltage + El_reference                        1e3
V_th                         coeffs.th_inf * th_inf + El_reference              1e3
g (glif_psc), g_m (cond)     coeffs.G / R_input                                 1e9
C_m                          coeffs.C * C                                       1e12
t_ref                        spike_cut_length * dt                              1e3
V_reset                      El_reference                                       1e3
th_spike_add                 threshold_dynamics_method.params.a_spike           1e3
th_spike_decay               threshold_dynamics_method.params.b_spike           1e-3
voltage_reset_fraction       voltage_reset_method.params.a                      1
voltage_reset_add            voltage_reset_method.params.b + (a - 1) El         1e3
th_voltage_index             coeffs.a * threshold_dynamics_method.params.a_voltage  1e-3
th_voltage_decay             coeffs.b * threshold_dynamics_method.params.b_voltage  1e-3
asc_init, ASCurrents         init_AScurrents                                    1e12
asc_decay                    1 / asc_tau_array                                  1e-3
asc_amps                     coeffs.asc_amp_array * asc_amp_array               1e12
asc_r                        AScurrent_reset_method.params.r                    1
===========================  =================================================  ==========

The level follows from the method names: threshold_dynamics_method ``inf``
(no spike-dependent threshold), ``spike_component`` (lif_r) or
``three_components_exact``/``three_components_forward`` (also the adapting
threshold); voltage_reset_method ``zero`` or ``v_before`` (must agree with the
threshold: spike-dependent threshold and ``v_before`` reset go together);
AScurrent_dynamics_method ``none`` or ``exp``.  Synaptic time constants and
reversal potentials are not part of a neuron_config: the caller gives them.

Voltages of the Allen model are relative to El_reference and its ``v_before``
reset is ``V' = a V + b`` in that frame; NEST's are relative to E_L = El +
El_reference, hence the ``(a - 1) El`` term (zero when El = 0, as in the
published configs, where this table equals the one of BMTK).
"""

import json
import math
import os

__all__ = ["load_neuron_config", "glif_level", "glif_params", "LEVEL_NAMES", "NeuronConfigError"]

#: GLIF levels by number, as the Allen Institute counts them.
LEVEL_NAMES = {1: "lif", 2: "lif_r", 3: "lif_asc", 4: "lif_r_asc", 5: "lif_r_asc_a"}

_FLAGS_OF_LEVEL = {"lif": (False, False, False), "lif_r": (True, False, False), "lif_asc": (False, True, False),
                   "lif_r_asc": (True, True, False), "lif_r_asc_a": (True, True, True)}

_THRESHOLD_METHODS = {"inf": (False, False), "spike_component": (True, False),
                      "three_components_exact": (True, True), "three_components_forward": (True, True)}
_RESET_METHODS = {"zero": False, "v_before": True}
_ASC_METHODS = {"none": False, "exp": True}

_MODELS = ("glif_psc", "glif_cond")


class NeuronConfigError(ValueError):
    """A neuron_config that cannot be converted; the message names the field."""


def load_neuron_config(config):
    """Return a neuron_config as a dict.

    Parameters
    ----------
    config : str, os.PathLike or dict
        Path of a ``neuron_config`` JSON file, or the parsed dict itself.

    Raises
    ------
    NeuronConfigError
        If the file is not JSON or does not hold an object.
    """
    if isinstance(config, dict):
        return config
    if not isinstance(config, (str, os.PathLike)):
        raise TypeError(f"config must be a path or a dict, got {type(config).__name__}")
    with open(config, encoding="utf-8") as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as err:
            raise NeuronConfigError(f"{os.fspath(config)} is not a JSON file: {err}") from None
    if not isinstance(data, dict):
        raise NeuronConfigError(f"{os.fspath(config)} does not hold a neuron_config object")
    return data


def _field(config, path):
    """The value at dotted `path` of `config`, or NeuronConfigError naming the missing field."""
    value = config
    for i, key in enumerate(path.split(".")):
        if not isinstance(value, dict) or key not in value:
            raise NeuronConfigError(f"neuron_config has no field {path!r}"
                                    + (f" (missing {key!r})" if i else ""))
        value = value[key]
    return value


def _number(config, path, positive=False):
    """A finite number at `path` (and > 0 if `positive`), else NeuronConfigError naming the field."""
    value = _field(config, path)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise NeuronConfigError(f"neuron_config field {path!r} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise NeuronConfigError(f"neuron_config field {path!r} must be positive, got {value!r}")
    return float(value)


def _numbers(config, path, n=None, positive=False):
    """A list of finite numbers at `path` (of length `n` if given), else NeuronConfigError naming the field."""
    value = _field(config, path)
    if not isinstance(value, (list, tuple)):
        raise NeuronConfigError(f"neuron_config field {path!r} must be a list of numbers, got {value!r}")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise NeuronConfigError(f"neuron_config field {path!r} must hold finite numbers, got {value!r}")
        if positive and v <= 0:
            raise NeuronConfigError(f"neuron_config field {path!r} must hold positive numbers, got {value!r}")
        out.append(float(v))
    if n is not None and len(out) != n:
        raise NeuronConfigError(f"neuron_config field {path!r} has {len(out)} entries; asc_tau_array has {n}")
    return out


def _method(config, path, known):
    """The method name at `path`.name, checked against `known` (dict keys)."""
    name = _field(config, path + ".name")
    if name not in known:
        raise NeuronConfigError(f"neuron_config field {path + '.name'!r} is {name!r}; eventsim knows "
                                + ", ".join(repr(k) for k in known))
    return name


def _threshold(config):
    """The fitted instantaneous threshold coeffs.th_inf * th_inf (V above El_reference), which must be positive."""
    value = _number(config, "coeffs.th_inf") * _number(config, "th_inf")
    if value <= 0:
        raise NeuronConfigError(f"neuron_config fields 'coeffs.th_inf' x 'th_inf' give a threshold of {value!r} V "
                                "relative to El_reference; it must be positive")
    return value


def glif_level(config):
    """The GLIF level a neuron_config describes: ``lif``, ``lif_r``, ``lif_asc``, ``lif_r_asc`` or ``lif_r_asc_a``.

    Parameters
    ----------
    config : str, os.PathLike or dict
        A neuron_config (path or dict).

    Raises
    ------
    NeuronConfigError
        For unknown method names or a combination that is not one of the five levels.
    """
    config = load_neuron_config(config)
    threshold = _method(config, "threshold_dynamics_method", _THRESHOLD_METHODS)
    reset = _method(config, "voltage_reset_method", _RESET_METHODS)
    asc = _method(config, "AScurrent_dynamics_method", _ASC_METHODS)
    spike_threshold, adapting = _THRESHOLD_METHODS[threshold]
    if _RESET_METHODS[reset] != spike_threshold:
        raise NeuronConfigError(
            f"neuron_config fields 'threshold_dynamics_method.name' ({threshold!r}) and "
            f"'voltage_reset_method.name' ({reset!r}) do not form a GLIF level: a spike-dependent threshold "
            "goes with the 'v_before' reset, a fixed one ('inf') with the 'zero' reset")
    flags = (spike_threshold, _ASC_METHODS[asc], adapting)
    for name, level_flags in _FLAGS_OF_LEVEL.items():
        if level_flags == flags:
            return name
    raise NeuronConfigError(
        f"neuron_config fields 'threshold_dynamics_method.name' ({threshold!r}) and "
        f"'AScurrent_dynamics_method.name' ({asc!r}) do not form a GLIF level: the adapting threshold "
        "('three_components_*') needs after-spike currents ('exp')")


def glif_params(config, model="glif_psc", tau_syn=None, E_rev=None):
    """NEST parameters of the GLIF cell a neuron_config describes, for ``Create(model, params=...)``.

    Parameters
    ----------
    config : str, os.PathLike or dict
        An Allen Cell Types ``neuron_config`` (path of the JSON file or the dict), SI units.
    model : str
        ``"glif_psc"`` (membrane conductance ``g``) or ``"glif_cond"`` (``g_m``).
    tau_syn : sequence of float
        Synaptic time constants (ms), one per receptor port; required (not in Allen configs).
    E_rev : sequence of float
        Reversal potentials (mV), one per receptor; required for glif_cond, refused for glif_psc.

    Returns
    -------
    dict
        NEST parameters in NEST units (mV, pA, pF, nS, ms, 1/ms): the three
        level flags, C_m, the membrane conductance, E_L, V_th, V_reset, t_ref,
        the parameters of the level's mechanisms, tau_syn (and E_rev), and the
        initial state V_m (and ASCurrents with after-spike currents).

    Raises
    ------
    NeuronConfigError
        Naming the field that is missing, not finite or not a legal level.
    ValueError
        For an unknown model or missing or inconsistent tau_syn / E_rev.
    """
    if model not in _MODELS:
        raise ValueError(f"model must be one of {', '.join(_MODELS)}, got {model!r}")
    if tau_syn is None:
        raise ValueError("tau_syn is not part of an Allen neuron_config: pass tau_syn=[...] (ms), one per receptor")
    tau_syn = [float(t) for t in tau_syn]
    if not tau_syn or not all(math.isfinite(t) and t > 0 for t in tau_syn):
        raise ValueError(f"tau_syn must be a non-empty list of positive time constants (ms), got {tau_syn!r}")
    if model == "glif_cond":
        if E_rev is None:
            raise ValueError("E_rev is not part of an Allen neuron_config: pass E_rev=[...] (mV), one per receptor")
        E_rev = [float(e) for e in E_rev]
        if len(E_rev) != len(tau_syn) or not all(math.isfinite(e) for e in E_rev):
            raise ValueError(f"E_rev needs one finite reversal potential (mV) per tau_syn entry, got {E_rev!r}")
    elif E_rev is not None:
        raise ValueError("glif_psc has current-based synapses: E_rev does not apply")

    config = load_neuron_config(config)
    level = glif_level(config)
    has_r, has_asc, has_a = _FLAGS_OF_LEVEL[level]
    el_ref = _number(config, "El_reference")
    params = {
        "spike_dependent_threshold": has_r, "after_spike_currents": has_asc, "adapting_threshold": has_a,
        "E_L": (_number(config, "El") + el_ref) * 1e3,
        "V_m": (_number(config, "init_voltage") + el_ref) * 1e3,
        "V_th": (_threshold(config) + el_ref) * 1e3,
        "g" if model == "glif_psc" else "g_m":
            _number(config, "coeffs.G") / _number(config, "R_input", positive=True) * 1e9,
        "C_m": _number(config, "coeffs.C") * _number(config, "C", positive=True) * 1e12,
        "t_ref": _number(config, "spike_cut_length") * _number(config, "dt", positive=True) * 1e3,
        "tau_syn": tau_syn,
    }
    if model == "glif_cond":
        params["E_rev"] = E_rev
    if has_r:
        threshold = "threshold_dynamics_method.params"
        params["th_spike_add"] = _number(config, threshold + ".a_spike") * 1e3
        params["th_spike_decay"] = _number(config, threshold + ".b_spike") * 1e-3
        a = _number(config, "voltage_reset_method.params.a")
        params["voltage_reset_fraction"] = a
        params["voltage_reset_add"] = (_number(config, "voltage_reset_method.params.b")
                                       + (a - 1.0) * _number(config, "El")) * 1e3
    params["V_reset"] = el_ref * 1e3          # used by lif and lif_asc; NEST requires V_reset < V_th for all
    if has_a:
        threshold = "threshold_dynamics_method.params"
        params["th_voltage_index"] = _number(config, threshold + ".a_voltage") * _number(config, "coeffs.a") * 1e-3
        params["th_voltage_decay"] = _number(config, threshold + ".b_voltage") * _number(config, "coeffs.b") * 1e-3
    if has_asc:
        taus = _numbers(config, "asc_tau_array", positive=True)
        n = len(taus)
        if n == 0:
            raise NeuronConfigError("neuron_config field 'asc_tau_array' is empty but after-spike currents are on")
        amps = _numbers(config, "asc_amp_array", n)
        amp_coeffs = _numbers(config, "coeffs.asc_amp_array", n)
        init = _numbers(config, "init_AScurrents", n)
        params["asc_decay"] = [1.0 / tau * 1e-3 for tau in taus]
        params["asc_amps"] = [a * c * 1e12 for a, c in zip(amps, amp_coeffs)]
        params["asc_init"] = [i * 1e12 for i in init]
        params["ASCurrents"] = list(params["asc_init"])
        params["asc_r"] = _numbers(config, "AScurrent_reset_method.params.r", n)
    return params
