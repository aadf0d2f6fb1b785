"""nengo networks to NIR, the Neuromorphic Intermediate Representation, and back.

`NIR <https://neuroir.org>`_ (the ``nir`` package, an extra:
``pip install nengo-lmu[nir]``) is the format through which Loihi 2 (Lava),
SpiNNaker2, SynSense chips and simulators such as Norse exchange spiking
networks. `export_nir` turns a spiking network (for example a
`.LegendreMemory` with ``nengo.LIF(tau_ref=0, min_voltage=-np.inf)``
neurons, or a trained `.LMUCell` deployed for spikes by
`nengo_lmu.training.deployment.deploy`) into a ``nir.NIRGraph``;
`save_nir` writes it to a file; `import_nir` turns a graph of ``LIF``/
``CubaLIF``/``IF``/``I``/``LI``/``Linear``/``Affine``/``Input``/``Output``
nodes back into a ``nengo.Network``.

The mapping (nengo -> NIR), from the built model, so every number is the
one nengo simulates:

- Each ``Ensemble`` becomes one population: ``CubaLIF`` if its inputs pass
  through a ``Lowpass(tau)`` synapse (``tau_syn`` from ``tau``), ``LIF`` if
  they are unfiltered (``synapse=None``). ``v_threshold=1``, ``v_reset=0``,
  ``r=1``; the ensemble's bias current is ``v_leak``: nengo's
  ``tau_rc dv/dt = J - v`` with ``J = bias + input`` is NIR's
  ``tau_mem dv/dt = (v_leak - v) + r I``.
- An ``Ensemble`` of ``nengo.SpikingRectifiedLinear`` (a deployed cell's
  hidden layer) becomes NIR's integrate-and-fire ``IF`` (``r=1``,
  ``v_threshold=1``, ``v_reset=0``), its inputs unfiltered; ``IF`` has no
  leak to hold the bias, so the first of its input ``Linear`` nodes is an
  ``Affine`` whose ``bias`` is the ensemble's. What a consumer runs is not
  nengo's neuron: nengo rectifies the current (``v += max(J, 0) dt``),
  resets by subtraction (keeping the overshoot) and may spike more than once
  per step; NIR's ``IF`` integrates negative currents too (no floor),
  resets to ``v_reset`` and spikes at most once per step (`NIRIF` is that
  neuron in nengo). No NIR primitive holds nengo's; the population's
  metadata records it (``nengo_neuron_type``) for `import_nir`.
- A state Node (one that feeds itself through ``synapse=0``, with its other
  inputs unfiltered: the ideal `.LegendreMemory`'s ``output``, whose
  zero-order-hold step is ``m[t] = Ad m[t-1] + Bd u[t]``) becomes NIR's
  integrator ``I`` (``r = 1``) with a recurrent ``Linear`` of
  ``(Ad - 1) / dt`` and an input ``Linear`` of ``Bd / dt``: one Euler step of
  ``dv/dt = (Ad - 1) / dt v + Bd / dt u`` is nengo's step exactly, the loop
  reading the previous step as NIR's consumers run loops. A ``synapse=0``
  connection from an ``IF`` population to itself is such a loop too.
- An output read through a ``Lowpass(tau)`` (a deployed cell's readout)
  gets NIR's leaky integrator ``LI`` (``tau`` as below, ``r=1``,
  ``v_leak=0``) in front of it.
- Every path of connections between two populations (through passthrough
  Nodes, decoders, transforms, slices, encoders and gains) is composed
  into one ``Linear`` node of neuron-to-neuron weights
  ``gain * encoders @ transform @ decoders`` (summed over parallel paths).
- A passthrough Node that nothing in the network feeds is an ``Input``;
  one that feeds nothing is an ``Output``; others are composed away
  (``inputs=`` and ``outputs=`` choose them, for example a NengoDL-style
  model's input Node, whose output is a placeholder).
- Weight convention: a spike is the value 1 for one step (nengo's is
  ``1 / dt``), the input ``S`` of NIR's equations, with ``r = 1`` (as Norse
  reads it): every weight from a population is nengo's times ``1 / dt``;
  weights from an ``Input``, an ``I`` or an ``LI`` are nengo's (and into an
  ``I`` divided by ``dt``). (One Euler step of
  ``tau_syn dI/dt = -I + w S`` with the time constants below is then
  nengo's synapse step ``y = a y + (1 - a) u`` exactly.)
- Time constants (``time_constants="euler"``, the default): NIR's equations
  are continuous, but its consumers step them with forward Euler at their
  ``dt``, and nengo steps them exactly (zero-order hold). The exported
  ``tau_mem`` and ``tau_syn`` are ``dt / (1 - exp(-dt / tau))``, the time
  constants with which one Euler step equals nengo's exact step (20.5 ms
  for ``tau_rc=20 ms`` at 1 ms); ``time_constants="exact"`` exports nengo's
  own. Both ``dt`` and the convention are in the graph's ``metadata``
  (``dt``, ``time_constants``, ``spike_value``, ``weight_convention``,
  ``reset``), and `import_nir` reads them back.
- Nengo's initial voltages are kept in each population's ``metadata``
  (``nengo_initial_voltage``), so that `import_nir` restores them; NIR
  consumers start from their own (Norse: ``LIF`` at ``v_leak``, ``IF`` at
  ``v_reset``).
- Timing: nengo's ``Lowpass`` synapses delay their input by one step, NIR's
  consumers' synapses (``CubaLIF``, ``LI``) do not; in a loop both read the
  previous step, so they agree there, but a consumer runs a filtered path
  from an ``Input`` (or into an ``Output``) one step ahead of nengo.
  Unfiltered paths (a deployed cell's input, memory and hidden layer) are
  in step.

What NIR cannot hold, refused with a `~nengo.exceptions.ValidationError`
saying what to change:

- a refractory period (``tau_ref > 0``: build with ``tau_ref=0``) and a
  voltage floor (``min_voltage > -inf``: build with
  ``min_voltage=-np.inf``); NIR's neurons have neither;
- neuron types other than ``nengo.LIF`` and ``nengo.SpikingRectifiedLinear``
  (rate neurons do not spike), spikes of an amplitude other than 1, and a
  synapse into a ``SpikingRectifiedLinear`` population or a state Node
  other than their own ``synapse=0`` loop (``IF`` and ``I`` have no
  synaptic filter);
- synapses other than ``Lowpass`` (or none), two synapses in series on one
  path, different synapses into one population, and a ``synapse=0`` (a
  one-step delay) on a path into an ``Output``;
- learning rules whose weights are not given (`frozen_weights` reads the
  learned ones from a simulator; what only feeds a learning rule, such as
  a `.LearnedReadout`'s error and gate, is then left out), Nodes that
  compute a function, transforms other than dense ones, ensembles outside
  the exported network, and loops through Nodes only that are not a state
  Node's ``synapse=0`` loop.
"""

# the two directions are modules of their own (to_nir, from_nir); their
# public names are this package's
from nengo_lmu.convert.nir.conventions import euler_tau, exact_tau, nir_package
from nengo_lmu.convert.nir.from_nir import import_nir, read_nir_file
from nengo_lmu.convert.nir.neurons import NIRIF, NIRLIF
from nengo_lmu.convert.nir.to_nir import export_nir, frozen_weights, save_nir
