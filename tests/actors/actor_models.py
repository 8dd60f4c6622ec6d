"""Actor models of the actor tests (imported by a fixture of test_actors.py, which removes them afterwards)."""

import numpy as np

import eventsim as nest
from eventsim.nodecollection import NodeCollection


class Relay(nest.Actor, model="test_relay"):
    """Relays the spikes arriving on receptor 0 with their summed multiplicity, as parrot_neuron."""

    spike_ports = (0, 1)

    def run(self):
        while True:
            spikes = yield self.receive()
            count = int(spikes.multiplicities[spikes.receptors == 0].sum())
            if count:
                self.send_spikes(multiplicity=count)


class Listener(nest.Actor, model="test_listener"):
    """Sends nothing; notes every message with the clock's time at which it was received."""

    spike_ports = (0, 1, 2)
    current_ports = (3,)
    emits = None

    def run(self):
        self.log = []
        while True:
            message = yield self.receive()
            self.log.append((int(self.env.now), message))


class Stimulus(nest.Actor, model="test_step_stimulus"):
    """Sets a current of `amplitude` at `on` and 0 at `off` (ms)."""

    defaults = {"amplitude": 100.0, "on": 1.0, "off": 3.0}
    units = {"amplitude": "pA", "on": "ms", "off": "ms"}
    emits = "current"
    element_type = "stimulator"
    spike_ports = ()

    def run(self):
        yield self.timeout(self.params["on"])
        self.send_current(self.params["amplitude"])
        yield self.timeout(self.params["off"] - self.params["on"])
        self.send_current(0.0)



class Observer(nest.Actor, model="test_observer"):
    """Silent: records each message with the clock at receipt, and asks for samples of `watch` (gid)."""

    spike_ports = (0, 1)

    defaults = {"watch": 0, "every": 0.5}

    def run(self):
        self.log = []
        if self.params["watch"]:
            nodes = NodeCollection(self.kernel, np.array([int(self.params["watch"])]))
            self.observe(nodes, ["V_m"], np.arange(1, 40) * self.params["every"])
        while True:
            message = yield self.receive()
            self.log.append((int(self.env.now), message))


class WrongSender(nest.Actor, model="test_wrong_sender"):
    """Misuses a send when told (`what`), after 1 ms."""

    defaults = {"what": "nothing"}

    def run(self):
        yield self.timeout(1.0)
        if self.params["what"] == "current":
            self.send_current(1.0)           # the model emits spikes
        elif self.params["what"] == "spikes":
            self.send_spikes(multiplicity=0)




class Integrator(nest.Actor, model="test_integrator"):
    """Counts the spikes it received so far (recordable `count`) and halves `level` every `period` ms."""

    defaults = {"period": 2.0}
    units = {"period": "ms"}
    recordables = {"count": "1", "level": "pA"}

    def run(self):
        self.count = 0
        self.env.process(self.decay())
        while True:
            spikes = yield self.receive()
            self.count += int(spikes.multiplicities.sum())

    def decay(self):
        self.level = 64.0
        while True:
            yield self.timeout(self.params["period"])
            self.level = self.level / 2
