"""The briefing builder: execute notebooks in parallel, export HTML, keep a manifest.

Modules, one concern each:

- :mod:`.cli` -- ``briefings list`` / ``briefings build`` arguments (light imports only)
- :mod:`.briefing_set` -- the default set, ``notebooks/briefings/briefings.toml``, expanded
- :mod:`.catalog` -- notebooks, their declared parameters (cached ``papermill.inspect_notebook``),
  value parsing and checking (through :mod:`analysis.briefings.params`)
- :mod:`.listing` -- the text of ``briefings list``
- :mod:`.build` -- plan (input hashes vs ``manifest.json``), process pool, records, summary,
  signals (TERM/HUP/INT stop the workers; what finished is recorded)
- :mod:`.tasks` -- :class:`~.tasks.Task` in, :class:`~.tasks.Result` out: typed values that
  cross processes
- :mod:`.execute` -- one briefing: :func:`~.execute.run_briefing` (``Task -> Result``), the
  entry point any engine calls (the local pool's workers, a cluster's); failure capture, timings
- :mod:`.forkkernel` -- kernels forked from a warm process
- :mod:`.normalize` -- reproducible notebooks (no clock times, pinned cell ids)
- :mod:`.render` -- standalone HTML, code hidden, nothing fetched from a CDN
- :mod:`.summary` -- a briefing's title and one-line summary, read from its outputs
- :mod:`.index` -- ``index.html``, every text escaped
- :mod:`.hashing`, :mod:`.store` -- content hashes; atomic writes, ``manifest.json`` (its shape
  checked), the output folder's checks and lock
- :mod:`.quiet` -- keeping kernel start-up noise out of the terminal

Where the time goes, and the choices made (2 cores, 22 briefings; see benchmarks/):

- A plain kernel costs about 1 s to start, and each briefing then spends 1-2 s importing pandas,
  matplotlib, geopandas and the package and loading the data and the world map: the same work
  for every briefing. The builder does it once, before forking its workers, and each kernel is
  a ``fork()`` of a worker (:mod:`.forkkernel`): a fresh process per briefing, so nothing leaks
  from one notebook into another, with the imports and caches already in memory. Outputs are
  byte-identical to a plain kernel's (tested); ``--kernel spawn`` is the plain way. By default
  there is no kernel at all (:mod:`.nokernel`): the forked process makes a kernel's shell and
  sends its outputs through a pipe, for the same bytes and 17 % less CPU.
- Reusing one kernel for several notebooks (papermill's ``km=``) was rejected: variables,
  matplotlib state and execution counts would leak between briefings, and the outputs would
  depend on which briefings happened to share a kernel.
- Two briefings per core: a kernel waits on messages about as long as it computes
  (measured: ``--jobs 2`` 28 s, ``--jobs 4`` 22 s).
- papermill and nbconvert are imported once, in the parent, before forking (and jsonschema's
  1 s ``rfc3987_syntax`` import is skipped); the HTML exporter is created and its templates
  compiled once. A build with nothing to do imports neither.
- Kernels use the ipc transport on a private socket folder each (no TCP port races).
"""
