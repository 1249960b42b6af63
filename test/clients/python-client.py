"""The official Python client (Debian's python3-kubernetes) against a skiff cluster: CRUD, patch,
scale, watch, errors, and — with a running pod — logs, exec and port-forward over its WebSocket
(v4.channel.k8s.io) streaming. Prints one line per check; the node test compares them."""
import sys
from kubernetes import client, config, watch
from kubernetes.stream import portforward, stream

config.load_kube_config(sys.argv[1])
mode = sys.argv[2]
v1 = client.CoreV1Api()
apps = client.AppsV1Api()

if mode == "api":
    v1.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py"), data={"a": "1"}))
    v1.patch_namespaced_config_map("py", "default", {"data": {"a": "2"}})
    print("patched", v1.read_namespaced_config_map("py", "default").data["a"])
    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="pyd"),
        spec=client.V1DeploymentSpec(
            replicas=1,
            selector=client.V1LabelSelector(match_labels={"app": "pyd"}),
            template=client.V1PodTemplateSpec(metadata=client.V1ObjectMeta(labels={"app": "pyd"}), spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")])),
        ),
    )
    apps.create_namespaced_deployment("default", dep)
    apps.patch_namespaced_deployment_scale("pyd", "default", {"spec": {"replicas": 3}})
    print("scale", apps.read_namespaced_deployment_scale("pyd", "default").spec.replicas)
    names = sorted(ev["object"].metadata.name for ev in watch.Watch().stream(v1.list_namespaced_config_map, "default", timeout_seconds=2) if ev["type"] == "ADDED")
    print("watched", ",".join(n for n in names if n == "py"))
    for call in (lambda: v1.read_namespaced_pod("nope", "default"), lambda: v1.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py")))):
        try:
            call()
        except client.exceptions.ApiException as e:
            print("error", e.status, e.reason)
    v1.delete_namespaced_config_map("py", "default")
elif mode == "pod":
    print("logs", v1.read_namespaced_pod_log("stream", "default").strip().splitlines()[0])
    pf = portforward(v1.connect_get_namespaced_pod_portforward, "stream", "default", ports="8080")
    sock = pf.socket(8080)
    sock.setblocking(True)
    sock.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.close()
    print("portforward", data.split(b"\r\n")[0].decode(), data.strip().splitlines()[-1].decode())
    out = stream(v1.connect_get_namespaced_pod_exec, "stream", "default", command=["sh", "-c", "echo out-$((6*7))"], stderr=True, stdin=False, stdout=True, tty=False)
    print("exec", out.strip())
    resp = stream(v1.connect_get_namespaced_pod_exec, "stream", "default", command=["sh", "-c", "exit 3"], stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
    resp.run_forever(timeout=10)
    print("exitcode", resp.returncode)
