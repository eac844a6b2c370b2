"""Times plux-Python doing, in one process, what benches/registry.rs times plux doing per manager;
prints the results as JSON. (The whole-process comparison is compare.py's own.)

Runs inside the venv that compare.py makes, in which the throwaway distribution
`plux-bench-plugins` registers 10 namespaces x PER_NAMESPACE entry points, each pointing to a
module-level PluginSpec whose factory is the Trivial plugin class (as the Rust specs share one
factory). Every figure is the median over rounds, in seconds per operation, measured with
time.perf_counter in this one process.
"""

import gc
import json
import random
import statistics
import sys
import time

from plux import PluginManager
from plux.runtime.cache import EntryPointsCache

NAMESPACE = "bench.ns3"
COLD_NAME = "plugin-0500"


def median_time(operation, rounds, per_round=1, setup=None):
    """Median over `rounds` of the time of one `operation(state)`, divided by `per_round`."""
    times = []
    for _ in range(rounds):
        state = setup() if setup else None
        gc.collect()
        start = time.perf_counter()
        operation(state)
        times.append((time.perf_counter() - start) / per_round)
    return statistics.median(times)


def main():
    quick = "--quick" in sys.argv
    rounds = 5 if quick else 30
    results = {}

    # Entry-point discovery, once per process and sys.path (plux's EntryPointsCache; its file
    # cache on disk exists after the first run, as in any real deployment). Everything below
    # runs with that process-wide cache filled and the plugin module imported: what a manager
    # does per manager, as the Rust figures do with the registry's index built.
    results["discovery/python_first_use"] = median_time(
        lambda _: EntryPointsCache().get_entry_points(), rounds
    )

    manager = PluginManager(NAMESPACE)
    loaded = manager.load_all()
    per_namespace = len(loaded)
    assert per_namespace == len(manager.list_names()) and per_namespace > 0, per_namespace
    names = list(manager.list_names())
    random.Random(4).shuffle(names)
    table = {name: manager.load(name) for name in names}

    def warm_load(_):
        for name in names:
            manager.load(name)

    def dict_get(_):
        for name in names:
            table.get(name)

    results["warm_lookup/python_load"] = median_time(warm_load, rounds * 3, len(names))
    results["warm_lookup/python_floor_dict_get"] = median_time(dict_get, rounds * 3, len(names))

    fresh = lambda: PluginManager(NAMESPACE)  # noqa: E731
    results["fresh_manager/python_exists"] = median_time(
        lambda m: m.exists(COLD_NAME), rounds, setup=fresh
    )
    results["fresh_manager/python_load"] = median_time(
        lambda m: m.load(COLD_NAME), rounds, setup=fresh
    )
    results["load_all/python_load_all"] = median_time(
        lambda m: m.load_all(), rounds, setup=fresh
    )

    results["_meta"] = {
        "python": sys.version.split()[0],
        "per_namespace": per_namespace,
        "rounds": rounds,
    }
    json.dump(results, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
