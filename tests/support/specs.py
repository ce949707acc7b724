"""Experiment specs the end-to-end tests submit, written once."""


def flow_list(values):
    """A YAML flow sequence: [1, 2], [none, haproxy]."""
    return "[" + ", ".join(str(v) for v in values) + "]"


def native_spec(name, *, repetitions, connections, warmup, instances=(1,),
                balancers=("none",), page_bytes=None, linear_model=False):
    """A sweep of native nginx on one host measured on loopback: one vCPU a
    target, closed-loop one-second trials after `warmup`, in order (so two
    runs of it are comparable), `page_bytes` served (nginx's default page
    when None); with `linear_model`, requests/s fitted linearly on
    instances, by balancer."""
    page = f"\n  page_bytes: {page_bytes}" if page_bytes is not None else ""
    models = ("models:\n  - {fit: linear, x: instances, y: requests_per_s, "
              "by: [balancer]}\n") if linear_model else ""
    return f"""name: {name}
repetitions: {repetitions}
order: sequential
service:
  server: nginx{page}
target:
  vcpus: 1
loadgen:
  mode: closed
  connections: {connections}
  duration: 1s
  warmup: {warmup}
sweep:
  platform: [native]
  instances: {flow_list(instances)}
  balancer: {flow_list(balancers)}
  hosts: [1]
{models}timeouts:
  prepare: 20s
  start_lead: 1s
"""
