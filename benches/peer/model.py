"""A SimPy model of the same gallery model, for a deterministic fleet (see fleet.py).

Each image exports a version every `every_days` from the start; the version exists in the
home region `export_hours` later and is copied to the gallery's other target regions, each
copy taking `replication_hours`. When a version is created, retention deletes the oldest
while `keep_versions` are live. A replica is billed as snapshot storage (used GB x hours /
730 x price) from when it exists until it is deleted or the horizon ends; each completed copy
into another region is billed once as egress (used GB x price). Time is in whole seconds, as
in gallerysim; events at the horizon do not happen.

Prints the total cost, storage and egress as JSON.
"""
import json
import sys

import simpy

HOUR = 3600


def ticks(hours):
    return int(round(hours * HOUR))


class Gallery:
    def __init__(self, env, spec):
        self.env = env
        self.spec = spec
        self.horizon = spec["months"] * spec["hours_per_month"] * HOUR
        self.storage_gb_hours = 0.0
        self.egress_gb = 0.0

    def accrue(self, copy, until):
        if copy["available"] is not None and copy["deleted"] is None:
            self.storage_gb_hours += copy["gb"] * (until - copy["available"]) / HOUR
            copy["deleted"] = until

    def copy_done(self, copy, delay):
        yield self.env.timeout(delay)
        if copy["deleted"] is None:  # not cancelled in flight
            copy["available"] = self.env.now
            self.egress_gb += copy["gb"]

    def create(self, image, live, keep, targets):
        yield self.env.timeout(ticks(image["export_hours"]))
        while keep > 0 and len(live) >= keep:
            for copy in live.pop(0):
                if copy["available"] is None:
                    copy["deleted"] = self.env.now  # cancelled: no egress, no storage
                else:
                    self.accrue(copy, self.env.now)
        version = []
        for t in range(targets):
            copy = {"gb": image["used_gb"], "available": None, "deleted": None}
            if t == 0:
                copy["available"] = self.env.now  # the home region
            else:
                self.env.process(self.copy_done(copy, ticks(image["replication_hours"])))
            version.append(copy)
        live.append(version)

    def image(self, image, everything):
        gallery = self.spec["galleries"][image["gallery"]]
        live = []
        everything.append(live)
        period = ticks(image["every_days"] * 24)
        while True:
            self.env.process(self.create(image, live, gallery["keep_versions"], gallery["targets"]))
            if self.env.now + period >= self.horizon:
                return
            yield self.env.timeout(period)


def main(path):
    with open(path) as f:
        spec = json.load(f)
    env = simpy.Environment()
    model = Gallery(env, spec)
    everything = []
    for image in spec["images"]:
        env.process(model.image(image, everything))
    env.run(until=model.horizon)
    for live in everything:
        for version in live:
            for copy in version:
                model.accrue(copy, model.horizon)
    storage = model.storage_gb_hours / spec["hours_per_month"] * spec["snapshot_gb_month"]
    egress = model.egress_gb * spec["egress_gb"]
    print(json.dumps({"total_cost": storage + egress, "storage_cost": storage, "egress_cost": egress}))


if __name__ == "__main__":
    main(sys.argv[1])
