package io.brizo.compute.k8s;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver (token auth, RBAC) and
 * kube-controller-manager (the Job, garbage collector, namespace and service account controllers),
 * built from Debian's source package by {@code test-servers/k8s/install.sh}. There is no scheduler
 * and no kubelet: {@link #bind} plays the scheduler, {@link #finish} and {@link #run} play the
 * kubelet, and a tiny HTTPS server of the test's own stands in for the kubelet's log endpoint.
 */
final class RealKubernetes implements AutoCloseable {
    static final String NODE = "fake-node";
    private static final String TOKEN = "brizo-test-admin-token";
    private static final String PUBLISHER_TOKEN = "brizo-test-publisher-token";
    /** The user the backend runs as: it has only the rights of rbac/role.yaml. */
    static final String PUBLISHER = "brizo-publisher";

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, String> logs = new ConcurrentHashMap<>();
    private HttpsServer kubelet;
    private KubernetesClient client;
    private Path kubeconfig;
    private Path publisherKubeconfig;

    private RealKubernetes(Path dir) {
        this.dir = dir;
    }

    /** Starts the control plane and a fake node; ready in a few seconds. */
    static RealKubernetes start(Path dir) throws Exception {
        RealKubernetes k = new RealKubernetes(dir);
        try {
            k.boot();
        } catch (Exception | Error e) {
            k.close();
            throw new IllegalStateException("the Kubernetes control plane did not start" + k.processLogs(), e);
        }
        return k;
    }

    private static Path binaries() throws IOException {
        String cache = System.getenv("BRIZO_K8S_CACHE");
        Path root = cache != null ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "brizo-k8s");
        Path current = root.resolve("current");
        if (!Files.isRegularFile(current)) {
            throw new IllegalStateException(
                    "no kube-apiserver in " + root + ": run test-servers/k8s/install.sh (mvn verify does)");
        }
        return Path.of(Files.readString(current).trim());
    }

    private void boot() throws Exception {
        Path bin = binaries();
        int etcdPort = freePort();
        int peerPort = freePort();
        int apiPort = freePort();

        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair sa = gen.generateKeyPair();
        Path saKey = pem(dir.resolve("sa.key"), "PRIVATE KEY", sa.getPrivate().getEncoded());
        Path saPub = pem(dir.resolve("sa.pub"), "PUBLIC KEY", sa.getPublic().getEncoded());
        Path tokens = Files.writeString(
                dir.resolve("tokens.csv"),
                TOKEN + ",admin,admin,system:masters\n" + PUBLISHER_TOKEN + "," + PUBLISHER + "," + PUBLISHER + "\n");
        kubeconfig = kubeconfig(dir.resolve("kubeconfig"), apiPort, TOKEN);
        publisherKubeconfig = kubeconfig(dir.resolve("publisher.kubeconfig"), apiPort, PUBLISHER_TOKEN);

        spawn(
                "etcd",
                "etcd",
                "--data-dir=" + dir.resolve("etcd"),
                "--listen-client-urls=http://127.0.0.1:" + etcdPort,
                "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls=http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort,
                "--initial-cluster=default=http://127.0.0.1:" + peerPort);
        spawn(
                "kube-apiserver",
                bin.resolve("kube-apiserver").toString(),
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + apiPort,
                "--insecure-port=0",
                "--cert-dir=" + dir.resolve("certs"),
                "--token-auth-file=" + tokens,
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-account-key-file=" + saPub,
                "--service-account-signing-key-file=" + saKey,
                "--service-cluster-ip-range=10.0.0.0/24",
                "--kubelet-preferred-address-types=InternalIP",
                "--profiling=false");
        spawn(
                "kube-controller-manager",
                bin.resolve("kube-controller-manager").toString(),
                "--kubeconfig=" + kubeconfig,
                "--controllers=job,garbagecollector,namespace,serviceaccount,serviceaccount-token,pvc-protection",
                "--service-account-private-key-file=" + saKey,
                "--leader-elect=false",
                "--port=0",
                "--secure-port=0");

        Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        client = new KubernetesClientBuilder().withConfig(config).build();
        await(
                Duration.ofSeconds(60),
                () -> {
                    try {
                        return client.serviceAccounts()
                                        .inNamespace("default")
                                        .withName("default")
                                        .get()
                                != null;
                    } catch (RuntimeException e) {
                        return false;
                    }
                },
                "the API server and controllers come up");
        startKubelet();
        // A sandbox runtime as a cluster would offer it; the RuntimeClass admission plugin
        // refuses pods that name a class that does not exist.
        client.resource(new io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder()
                        .withNewMetadata()
                        .withName("gvisor")
                        .endMetadata()
                        .withHandler("runsc")
                        .build())
                .create();
    }

    private static Path kubeconfig(Path file, int apiPort, String token) throws IOException {
        return Files.writeString(
                file,
                String.join(
                        "\n",
                        "apiVersion: v1",
                        "kind: Config",
                        "clusters:",
                        "- name: local",
                        "  cluster: {server: 'https://127.0.0.1:" + apiPort + "', insecure-skip-tls-verify: true}",
                        "users:",
                        "- name: user",
                        "  user: {token: " + token + "}",
                        "contexts:",
                        "- name: local",
                        "  context: {cluster: local, user: user}",
                        "current-context: local",
                        ""));
    }

    private void startKubelet() throws Exception {
        Path keystore = dir.resolve("kubelet.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-alias",
                        "kubelet",
                        "-keystore",
                        keystore.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        "changeit",
                        "-dname",
                        "CN=127.0.0.1",
                        "-ext",
                        "SAN=ip:127.0.0.1",
                        "-validity",
                        "2")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.log").toFile())
                .start();
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + Files.readString(dir.resolve("keytool.log")));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        kubelet = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        kubelet.setHttpsConfigurator(new HttpsConfigurator(ssl));
        // The API server asks /containerLogs/<namespace>/<pod>/<container>.
        kubelet.createContext("/containerLogs/", exchange -> {
            String[] parts = exchange.getRequestURI().getPath().split("/");
            String key = parts.length >= 5 ? parts[3] + "/" + parts[4] : "";
            String log = logs.get(key);
            byte[] body = (log == null ? "" : log).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(log == null ? 404 : 200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        kubelet.start();

        Node node = client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(NODE)
                        .endMetadata()
                        .build())
                .create();
        node.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                .addNewAddress()
                .withType("InternalIP")
                .withAddress("127.0.0.1")
                .endAddress()
                .withNewDaemonEndpoints()
                .withNewKubeletEndpoint()
                .withPort(kubelet.getAddress().getPort())
                .endKubeletEndpoint()
                .endDaemonEndpoints()
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .build());
        client.nodes().resource(node).updateStatus();
    }

    KubernetesClient client() {
        return client;
    }

    /** {@return a kubeconfig of the publisher, who has only the rights of rbac/role.yaml} */
    Path publisherKubeconfig() {
        return publisherKubeconfig;
    }

    /**
     * Creates a namespace, grants the publisher the Role of {@code rbac/role.yaml} in it, and waits
     * until that takes effect and the namespace's default service account exists, as pods need it.
     */
    void namespace(String name) throws IOException {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        Role role;
        try (InputStream in = Files.newInputStream(Path.of("rbac", "role.yaml"))) {
            role = client.getKubernetesSerialization().unmarshal(in, Role.class);
        }
        client.rbac().roles().inNamespace(name).resource(role).create();
        client.rbac()
                .roleBindings()
                .inNamespace(name)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("brizo-compute")
                        .endMetadata()
                        .withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("Role")
                        .withName(role.getMetadata().getName())
                        .endRoleRef()
                        .addNewSubject()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("User")
                        .withName(PUBLISHER)
                        .endSubject()
                        .build())
                .create();
        // The authorizer learns of new bindings through a watch: wait until it has.
        await(
                Duration.ofSeconds(30),
                () -> client.authorization()
                        .v1()
                        .subjectAccessReview()
                        .create(new SubjectAccessReviewBuilder()
                                .withNewSpec()
                                .withUser(PUBLISHER)
                                .withNewResourceAttributes()
                                .withNamespace(name)
                                .withVerb("list")
                                .withResource("configmaps")
                                .endResourceAttributes()
                                .endSpec()
                                .build())
                        .getStatus()
                        .getAllowed(),
                "the publisher's Role in " + name + " takes effect");
        await(
                Duration.ofSeconds(30),
                () -> client.serviceAccounts()
                                .inNamespace(name)
                                .withName("default")
                                .get()
                        != null,
                "the service account controller makes the default account of " + name);
    }

    /** {@return the pod of a job's phase, once the Job controller has made it} */
    Pod awaitPod(String namespace, String base, String phase) {
        Pod[] found = new Pod[1];
        await(
                Duration.ofSeconds(30),
                () -> {
                    List<Pod> pods = client.pods()
                            .inNamespace(namespace)
                            .withLabel(JobObjects.LABEL_JOB, base)
                            .withLabel(JobObjects.LABEL_PHASE, phase)
                            .list()
                            .getItems();
                    found[0] = pods.isEmpty() ? null : pods.get(0);
                    return found[0] != null;
                },
                "the Job controller creates the " + phase + " pod of " + base);
        return found[0];
    }

    /** Plays the scheduler: binds the pod to the fake node. */
    void bind(Pod pod) {
        client.bindings()
                .inNamespace(pod.getMetadata().getNamespace())
                .resource(new BindingBuilder()
                        .withNewMetadata()
                        .withName(pod.getMetadata().getName())
                        .endMetadata()
                        .withNewTarget()
                        .withApiVersion("v1")
                        .withKind("Node")
                        .withName(NODE)
                        .endTarget()
                        .build())
                .create();
    }

    /** Plays the kubelet: the pod's container runs, and its log so far is {@code log}. */
    void run(Pod pod, String log) {
        logs.put(
                pod.getMetadata().getName() + "/"
                        + pod.getSpec().getContainers().get(0).getName(),
                log);
        status(
                pod,
                "Running",
                new ContainerStatusBuilder()
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(now())
                        .endRunning()
                        .endState()
                        .withReady(true));
    }

    /** Plays the kubelet: the pod's container exits with {@code exitCode} after writing {@code log}. */
    void finish(Pod pod, int exitCode, String log) {
        finish(pod, exitCode, log, "");
    }

    /**
     * Plays the kubelet: the pod's container, started from the image {@code imageId} (as a
     * container runtime reports it), exits with {@code exitCode} after writing {@code log}.
     */
    void finish(Pod pod, int exitCode, String log, String imageId) {
        logs.put(
                pod.getMetadata().getName() + "/"
                        + pod.getSpec().getContainers().get(0).getName(),
                log);
        status(
                pod,
                exitCode == 0 ? "Succeeded" : "Failed",
                new ContainerStatusBuilder()
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(exitCode)
                        .withReason(exitCode == 0 ? "Completed" : "Error")
                        .withStartedAt(now())
                        .withFinishedAt(now())
                        .endTerminated()
                        .endState()
                        .withImageID(imageId)
                        .withReady(false));
    }

    /** Plays the kubelet: the image of the pod's container cannot be pulled. */
    void pullFails(Pod pod) {
        status(
                pod,
                "Pending",
                new ContainerStatusBuilder()
                        .withNewState()
                        .withNewWaiting()
                        .withReason("ImagePullBackOff")
                        .withMessage("Back-off pulling image \""
                                + pod.getSpec().getContainers().get(0).getImage() + "\"")
                        .endWaiting()
                        .endState()
                        .withReady(false));
    }

    private void status(Pod pod, String phase, ContainerStatusBuilder container) {
        Pod fresh = client.pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName())
                .get();
        ContainerStatus cs = container
                .withName(fresh.getSpec().getContainers().get(0).getName())
                .withImage(fresh.getSpec().getContainers().get(0).getImage())
                .withImageID(
                        container.build().getImageID() == null
                                ? ""
                                : container.build().getImageID())
                .withRestartCount(0)
                .build();
        fresh.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                .withPhase(phase)
                .withHostIP("127.0.0.1")
                .withPodIP("10.1.0.1")
                .withStartTime(now())
                .withContainerStatuses(cs)
                .build());
        client.pods()
                .inNamespace(fresh.getMetadata().getNamespace())
                .resource(fresh)
                .updateStatus();
    }

    private static String now() {
        return java.time.Instant.now()
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
    static void await(Duration timeout, BooleanSupplier condition, String what) {
        await(timeout, condition, () -> what);
    }

    /** Like {@link #await(Duration, BooleanSupplier, String)}, describing the wait when it times out. */
    static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** {@return the last lines each process wrote, to explain a failed start} */
    String processLogs() {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("etcd", "kube-apiserver", "kube-controller-manager")) {
            Path log = dir.resolve(name + ".log");
            try {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                sb.append("\n--- ").append(name).append(" ---\n");
                lines.subList(Math.max(0, lines.size() - 15), lines.size())
                        .forEach(l -> sb.append(l).append('\n'));
            } catch (IOException e) {
                sb.append("\n(").append(name).append(" log unreadable)");
            }
        }
        return sb.toString();
    }

    private void spawn(String name, String... command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        processes.add(p);
    }

    private static Path pem(Path file, String type, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        if (kubelet != null) {
            kubelet.stop(0);
        }
        // In reverse order: the controllers and the API server before their store.
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
