package io.brizo.compute.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.OutputFile;
import io.brizo.spi.OutputPublication;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageObject;
import io.brizo.state.postgres.PostgresServer;
import io.brizo.testkit.ReceiptCheck;
import io.brizo.testkit.TestConsumer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend against a real kube-apiserver with the real Job and garbage-collector controllers
 * (see {@link RealKubernetes}): real validation, defaulting and status handling.
 */
class KubernetesComputeBackendApiServerTest {
    @TempDir
    static Path dir;

    static RealKubernetes kube;

    /** The code of the published algorithm in the tests below, on the rig's fake storage. */
    private static final URI ALGORITHM_CODE = URI.create("fake://bucket/algorithm.py");

    private static final String ALGORITHM_DID = "did:op:" + "a1".repeat(32);

    private static final String ALGORITHM_IMAGE_DIGEST = "sha256:" + "5e".repeat(32);

    String namespace;
    ComputeBackend backend;
    FakeStorage storage;

    @BeforeAll
    static void startKubernetes() throws Exception {
        kube = RealKubernetes.start(dir);
    }

    @AfterAll
    static void stopKubernetes() {
        if (kube != null) {
            kube.close();
        }
    }

    @BeforeEach
    void open(TestInfo test) throws Exception {
        // One namespace per test, so jobs of one test never show up in another.
        namespace = "t" + Integer.toHexString(test.getDisplayName().hashCode() & 0xfffffff);
        kube.namespace(namespace);
        backend = newBackend();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private ComputeBackend newBackend() {
        Settings settings = Settings.builder()
                .put("BRIZO_K8S_NAMESPACE", namespace)
                .put("BRIZO_K8S_KUBECONFIG", kube.publisherKubeconfig().toString())
                .put("BRIZO_K8S_POLL_INTERVAL", "100ms")
                .put("BRIZO_K8S_ENVIRONMENTS", "default:1:1Gi:0:1h,gpu:2.5:4Gi:1:2h")
                .put("BRIZO_K8S_STORAGE_CLASS", "standard")
                .put("BRIZO_K8S_RUNTIME_CLASS", "gvisor")
                .put("BRIZO_K8S_OUTPUT_LOCATION", FakeStorage.OUTPUTS.toString())
                .put("BRIZO_PUBLIC_URL", "http://127.0.0.1:9")
                .build();
        storage = new FakeStorage("https://127.0.0.1:9/presigned/");
        return new KubernetesComputeBackendFactory().create(settings, storage).orElseThrow();
    }

    private KubernetesClient client() {
        return kube.client();
    }

    /** {@return one value of a Secret in the test's namespace, as the pod mounting it reads it} */
    private String secretValue(String name, String key) {
        String base64 = client().secrets()
                .inNamespace(namespace)
                .withName(name)
                .get()
                .getData()
                .get(key);
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    /** {@return whether no pod and no Job is left in the test's namespace} */
    private boolean noPodsOrJobsLeft() {
        return client().pods().inNamespace(namespace).list().getItems().isEmpty()
                && client().batch()
                        .v1()
                        .jobs()
                        .inNamespace(namespace)
                        .list()
                        .getItems()
                        .isEmpty();
    }

    private JobStatus awaitState(String id, JobState state) {
        JobStatus[] last = new JobStatus[1];
        RealKubernetes.await(
                Duration.ofSeconds(30),
                () -> (last[0] = backend.status(id)).state() == state,
                id + " is " + state + " (last: " + last[0] + ")");
        return last[0];
    }

    /** The bytes of the input of {@link Jobs#job} as the played configure pod fetches them. */
    private static final byte[] INPUT = "x,y\n1,2\n".getBytes(StandardCharsets.UTF_8);

    /** The code of {@link Jobs#job}'s inline algorithm. */
    private static final byte[] CODE = "print('hi')".getBytes(StandardCharsets.UTF_8);

    /** What a container runtime reports as the algorithm's image. */
    private static final String RAN = "sha256:" + "0".repeat(64);

    private static final String IMAGE_ID = "docker.io/library/python@" + RAN;

    /** Plays the configure pod of a {@link Jobs#job}: it fetches {@link #INPUT} and the code and reports them. */
    private void configure(String id) {
        Pod pod = kube.awaitPod(namespace, "brizo-" + id, "configure");
        kube.bind(pod);
        String marker = Reports.marker(client(), namespace, "brizo-" + id);
        kube.finish(
                pod,
                0,
                "noise\n"
                        + Reports.fetched(marker, "inputs/" + Jobs.DID.substring(7) + "/0", INPUT)
                        + Reports.fetched(marker, "transformations/algorithm", CODE)
                        + Reports.done(marker));
        awaitState(id, JobState.RUNNING);
    }

    /** Checks what every evidence of a {@link Jobs#job} holds, whatever its end. */
    private static void assertJobsEvidence(JobEvidence e) {
        assertEquals("kubernetes", e.backend());
        assertEquals("gpu", e.environment().id());
        assertEquals(2.5, e.environment().cpus());
        assertEquals(List.of(Jobs.AGREEMENT), e.agreementIds());
        assertNull(e.algorithmDid());
        assertEquals(
                new AlgorithmContainer("python", "3.12", "sha256:" + "0".repeat(64), "python $ALGO --fast"),
                e.container());
        assertEquals(
                List.of(new JobEvidence.FileDigest("algorithm", CODE.length, Reports.sha256(CODE))),
                e.algorithmFiles());
        assertEquals(
                List.of(new JobEvidence.InputDigest(Jobs.DID, 0, INPUT.length, Reports.sha256(INPUT))), e.inputs());
    }

    @Test
    void theApiServerAcceptsEveryObjectTheBackendCreatesAndTheJobControllerRunsThem() {
        backend.start(Jobs.job("ok1", Duration.ofMinutes(5)));

        Pod configurePod = kube.awaitPod(namespace, "brizo-ok1", "configure");
        assertEquals(Boolean.FALSE, configurePod.getSpec().getAutomountServiceAccountToken());
        assertNotNull(client().secrets()
                .inNamespace(namespace)
                .withName("brizo-ok1-fetch")
                .get());
        assertNotNull(client().persistentVolumeClaims()
                .inNamespace(namespace)
                .withName("brizo-ok1-data")
                .get());
        kube.bind(configurePod);
        kube.finish(configurePod, 0, "fetched\n");
        awaitState("ok1", JobState.RUNNING);

        Pod algorithmPod = kube.awaitPod(namespace, "brizo-ok1", "algorithm");
        assertEquals(
                "python@sha256:" + "0".repeat(64),
                algorithmPod.getSpec().getContainers().get(0).getImage());
        assertEquals(
                "1",
                algorithmPod
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getLimits()
                        .get("nvidia.com/gpu")
                        .toString());
        assertNotNull(client().network()
                .v1()
                .networkPolicies()
                .inNamespace(namespace)
                .withName("brizo-ok1-no-egress")
                .get());
        assertEquals("gvisor", algorithmPod.getSpec().getRuntimeClassName());
        Job algorithm = client().batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName("brizo-ok1-algorithm")
                .get();
        assertEquals(300L, algorithm.getSpec().getActiveDeadlineSeconds());
    }

    @Test
    void aJobRunsThroughAllPhasesAndItsOutputsAndLogCanBeRead() throws Exception {
        backend.start(Jobs.job("ok2", Duration.ofMinutes(5)));
        configure("ok2");
        Pod algorithm = kube.awaitPod(namespace, "brizo-ok2", "algorithm");
        kube.bind(algorithm);
        kube.run(algorithm, "working\n");
        RealKubernetes.await(
                Duration.ofSeconds(10),
                () -> new String(backend.logs("ok2", 0).data(), StandardCharsets.UTF_8).equals("working\n"),
                "the live log is read through the kubelet");
        kube.finish(algorithm, 0, "working\ndone\n");
        awaitState("ok2", JobState.PUBLISHING);

        Pod publish = kube.awaitPod(namespace, "brizo-ok2", "publish");
        kube.bind(publish);
        // The test plays the publish pod: it uploads through the link in its Secret.
        String link = secretValue("brizo-ok2-upload", "url");
        storage.upload(link, "outputs/out.txt", "hello".getBytes(StandardCharsets.UTF_8));
        String marker = Reports.marker(client(), namespace, "brizo-ok2");
        assertEquals(marker, secretValue("brizo-ok2-upload", "marker"), "the publish pod gets the job's marker");
        assertEquals(Optional.empty(), backend.evidence("ok2"), "no evidence before the job ends");
        kube.finish(
                publish,
                0,
                Reports.published(marker, "output", "out.txt", "hello".getBytes(StandardCharsets.UTF_8))
                        + Reports.done(marker));
        JobStatus done = awaitState("ok2", JobState.SUCCEEDED);

        assertEquals(0, done.exitCode());
        assertEquals(List.of(new OutputFile("out.txt", 5)), backend.outputs("ok2"));
        try (StorageObject o = backend.openOutput("ok2", "out.txt")) {
            assertEquals("hello", new String(o.stream().readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals("working\ndone\n", new String(backend.logs("ok2", 0).data(), StandardCharsets.UTF_8));
        assertTrue(backend.logs("ok2", 0).complete());

        JobEvidence evidence = backend.evidence("ok2").orElseThrow();
        assertJobsEvidence(evidence);
        assertEquals(Duration.ofMinutes(5), evidence.maxDuration());
        assertEquals(List.of(new JobEvidence.FileDigest("out.txt", 5, Reports.sha256("hello"))), evidence.outputs());
        assertEquals(
                new JobEvidence.FileDigest("algorithm.log", 13, Reports.sha256("working\ndone\n")), evidence.log());
        assertNull(evidence.imageDigest(), "the played kubelet reported no image ID");
        backend.close();
        backend = newBackend();
        assertEquals(evidence, backend.evidence("ok2").orElseThrow(), "the evidence survives a new backend");
    }

    @Test
    void aFailingAlgorithmEndsFailedWithItsExitCode() {
        backend.start(Jobs.job("bad1", Duration.ofMinutes(5)));
        configure("bad1");
        Pod algorithm = kube.awaitPod(namespace, "brizo-bad1", "algorithm");
        kube.bind(algorithm);
        kube.finish(algorithm, 7, "oops\n", IMAGE_ID);

        JobStatus failed = awaitState("bad1", JobState.FAILED);
        assertEquals(7, failed.exitCode());
        assertEquals("the algorithm exited with code 7", failed.message());
        assertEquals("oops\n", new String(backend.logs("bad1", 0).data(), StandardCharsets.UTF_8));

        JobEvidence evidence = backend.evidence("bad1").orElseThrow();
        assertJobsEvidence(evidence);
        assertEquals(RAN, evidence.imageDigest(), "the digest of the image that ran, from its imageID");
        assertEquals(List.of(), evidence.outputs());
        assertEquals(new JobEvidence.FileDigest("algorithm.log", 5, Reports.sha256("oops\n")), evidence.log());
    }

    @Test
    void theJobControllerEndsAnAlgorithmThatRunsPastItsDeadline() {
        backend.start(Jobs.job("slow1", Duration.ofSeconds(2)));
        configure("slow1");
        Pod algorithm = kube.awaitPod(namespace, "brizo-slow1", "algorithm");
        kube.bind(algorithm);
        kube.run(algorithm, "still going\n");

        JobStatus failed = awaitState("slow1", JobState.FAILED);
        assertEquals("the job exceeded its time limit of 2 s", failed.message());
    }

    @Test
    void stopEndsARunningJobRemovesItsPodsAndKeepsItsVolumeAndLog() {
        backend.start(Jobs.job("st1", Duration.ofMinutes(5)));
        configure("st1");
        Pod algorithm = kube.awaitPod(namespace, "brizo-st1", "algorithm");
        kube.bind(algorithm);
        kube.run(algorithm, "partial\n");
        assertEquals(Optional.empty(), backend.evidence("st1"), "a running job has no evidence");

        assertEquals(JobState.STOPPED, backend.stop("st1").state());
        JobEvidence evidence = backend.evidence("st1").orElseThrow();
        assertJobsEvidence(evidence);
        assertEquals(List.of(), evidence.outputs());
        assertEquals(new JobEvidence.FileDigest("algorithm.log", 8, Reports.sha256("partial\n")), evidence.log());
        RealKubernetes.await(
                Duration.ofSeconds(30), () -> noPodsOrJobsLeft(), "the stopped job's Jobs and pods are gone");
        assertNotNull(client().persistentVolumeClaims()
                .inNamespace(namespace)
                .withName("brizo-st1-data")
                .get());
        assertEquals("partial\n", new String(backend.logs("st1", 0).data(), StandardCharsets.UTF_8));
        assertEquals(JobState.STOPPED, backend.status("st1").state());
    }

    @Test
    void aBackendRestartedMidJobPicksItUpAndFinishesIt() {
        backend.start(Jobs.job("rs1", Duration.ofMinutes(5)));
        configure("rs1");
        Pod algorithm = kube.awaitPod(namespace, "brizo-rs1", "algorithm");
        kube.bind(algorithm);
        kube.run(algorithm, "half\n");
        backend.close();

        kube.finish(algorithm, 0, "half\nall\n");
        backend = newBackend();
        awaitState("rs1", JobState.PUBLISHING);
        Pod publish = kube.awaitPod(namespace, "brizo-rs1", "publish");
        kube.bind(publish);
        kube.finish(publish, 0, Reports.done(Reports.marker(client(), namespace, "brizo-rs1")));

        assertEquals(JobState.SUCCEEDED, awaitState("rs1", JobState.SUCCEEDED).state());
        assertEquals(1, backend.jobs(Jobs.OWNER, null).size());
    }

    @Test
    void anImagePullFailureIsReportedAndDeleteCascadesToEveryObject() {
        backend.start(Jobs.job("img1", Duration.ofMinutes(5)));
        configure("img1");
        Pod algorithm = kube.awaitPod(namespace, "brizo-img1", "algorithm");
        kube.bind(algorithm);
        kube.pullFails(algorithm);

        JobStatus failed = awaitState("img1", JobState.FAILED);
        assertTrue(failed.message().startsWith("the algorithm's image could not be pulled: ImagePullBackOff"));

        backend.delete("img1");
        assertEquals(JobState.DELETED, backend.status("img1").state());
        RealKubernetes.await(
                Duration.ofSeconds(30),
                () -> noPodsOrJobsLeft()
                        && client().persistentVolumeClaims()
                                .inNamespace(namespace)
                                .list()
                                .getItems()
                                .isEmpty(),
                "every object of the deleted job is gone");
        assertFalse(backend.jobs(null, null).stream().anyMatch(s -> s.jobId().equals("img1")));
        assertEquals(
                Map.of(),
                Map.copyOf(client().network().v1().networkPolicies().inNamespace(namespace).list().getItems().stream()
                        .collect(java.util.stream.Collectors.toMap(
                                p -> p.getMetadata().getName(), p -> p))));
    }

    /** Writes the catalogue: the dataset at {@code data}, and {@code more} assets as given. */
    private Path writeAsset(ObjectMapper json, String dataset, URI data, Map<String, Object> more) throws IOException {
        Map<String, Object> assets = new HashMap<>(more);
        assets.put(dataset, Map.of("files", List.of(Map.of("url", data.toString()))));
        return Files.writeString(dir.resolve(namespace + "-assets.json"), json.writeValueAsString(assets));
    }

    /** {@return a catalogue entry of an algorithm published with its code at {@code code} and this container} */
    private static Map<String, Object> publishedAlgorithm(URI code, Map<String, String> container) {
        return Map.of(
                "files",
                List.of(Map.of("url", code.toString())),
                "algorithm",
                Map.of("language", "python", "version", "3.12", "container", container));
    }

    private Path writeComputeGrant(ObjectMapper json, String agreement, String dataset, TestConsumer consumer)
            throws IOException {
        return Files.writeString(
                dir.resolve(namespace + "-grants.json"),
                json.writeValueAsString(List.of(Map.of(
                        "agreementId",
                        agreement,
                        "did",
                        dataset,
                        "consumer",
                        consumer.address(),
                        "service",
                        "compute"))));
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** A Brizo server on 127.0.0.1 running jobs in this test's namespace, and a consumer granted compute. */
    private final class HttpRig implements AutoCloseable {
        final ObjectMapper json = new ObjectMapper();
        final HttpClient http = HttpClient.newHttpClient();
        final TestConsumer consumer;
        final String agreement;
        final Path outputs;
        final Brizo brizo;
        final BrizoHttpServer server;

        HttpRig(String agreement, String dataset, URI data, PresigningDriver driver, Map<String, String> extra)
                throws IOException {
            this(agreement, dataset, data, driver, extra, Map.of());
        }

        /** A rig whose catalogue also holds {@code moreAssets}, by DID. */
        HttpRig(
                String agreement,
                String dataset,
                URI data,
                PresigningDriver driver,
                Map<String, String> extra,
                Map<String, Object> moreAssets)
                throws IOException {
            this(TestConsumer.random(), agreement, dataset, data, driver, extra, moreAssets);
        }

        /**
         * A rig granting compute to {@code consumer}; rigs made with the same consumer, agreement and
         * dataset share the catalogue, grants and output location, as replicas of one publisher do.
         */
        HttpRig(
                TestConsumer consumer,
                String agreement,
                String dataset,
                URI data,
                PresigningDriver driver,
                Map<String, String> extra,
                Map<String, Object> moreAssets)
                throws IOException {
            this.consumer = consumer;
            this.agreement = agreement;
            // The namespace is this server's alone: another backend's poller would advance its jobs
            // too, making links that point elsewhere.
            backend.close();
            int port = freePort();
            outputs = Files.createDirectories(dir.resolve(namespace + "-outputs"));
            Settings.Builder settings = Settings.builder()
                    .put(
                            "BRIZO_ASSETS",
                            writeAsset(json, dataset, data, moreAssets).toString())
                    .put(
                            "BRIZO_GRANTS",
                            writeComputeGrant(json, agreement, dataset, consumer)
                                    .toString())
                    .put("BRIZO_COMPUTE_ALLOW_RAW_ALGORITHMS", "true")
                    .put("BRIZO_FILE_ROOTS", outputs.toString())
                    .put("BRIZO_PUBLIC_URL", "http://127.0.0.1:" + port)
                    .put("BRIZO_K8S_NAMESPACE", namespace)
                    .put("BRIZO_K8S_KUBECONFIG", kube.publisherKubeconfig().toString())
                    .put("BRIZO_K8S_POLL_INTERVAL", "100ms")
                    .put("BRIZO_K8S_OUTPUT_LOCATION", outputs.toUri().toString())
                    .putAll(extra);
            brizo = Brizo.builder()
                    .settings(settings.build())
                    .storageDriver(driver)
                    .discover()
                    .build();
            server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", port), 4);
        }

        /** Starts a raw-code job over HTTP and returns its id. */
        String start() throws IOException {
            return jobId(start(Map.of("algorithmMeta", inline("print(1)", "python $ALGO"))));
        }

        /** {@return the answer to a start request with these algorithm fields (algorithmDid, algorithmMeta)} */
        HttpResponse<byte[]> start(Map<String, String> algorithm) {
            Map<String, String> start = new HashMap<>(algorithm);
            start.put("serviceAgreementId", agreement);
            start.put("consumerAddress", consumer.address());
            start.put("signature", consumer.sign(consumer.address() + agreement));
            return send(http, server.uri(), "POST", BrizoHttpApi.COMPUTE, start);
        }

        /** {@return the algorithmMeta of inline {@code rawcode} in python:3.12 run by {@code entrypoint}} */
        String inline(String rawcode, String entrypoint) throws IOException {
            return json.writeValueAsString(Map.of(
                    "rawcode",
                    rawcode,
                    "container",
                    Map.of("image", "python", "tag", "3.12", "entrypoint", entrypoint)));
        }

        /** {@return the id of the job a start request started, asserting it did} */
        String jobId(HttpResponse<byte[]> started) throws IOException {
            assertEquals(200, started.statusCode(), new String(started.body(), StandardCharsets.UTF_8));
            JsonNode body = json.readTree(started.body());
            return (body.isArray() ? body.get(0) : body).get("jobId").asText();
        }

        /** {@return the consumer's jobs over HTTP} */
        JsonNode jobs() {
            HttpResponse<byte[]> r = send(
                    http,
                    server.uri(),
                    "GET",
                    BrizoHttpApi.COMPUTE,
                    Map.of("consumerAddress", consumer.address(), "signature", consumer.sign(consumer.address())));
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            return readTree(json, r.body());
        }

        Map<String, String> job(String jobId) {
            Map<String, String> job = new HashMap<>();
            job.put("consumerAddress", consumer.address());
            job.put("jobId", jobId);
            job.put("signature", consumer.sign(consumer.address() + jobId));
            return job;
        }

        /** {@return the job's status over HTTP once it is {@code state}} */
        JsonNode awaitHttpState(String jobId, String state) {
            JsonNode[] status = new JsonNode[1];
            RealKubernetes.await(
                    Duration.ofSeconds(30),
                    () -> {
                        HttpResponse<byte[]> r = send(http, server.uri(), "GET", BrizoHttpApi.COMPUTE, job(jobId));
                        status[0] = readTree(json, r.body());
                        return r.statusCode() == 200
                                && state.equals(status[0].get(0).get("state").asText());
                    },
                    () -> jobId + " is " + state + " over HTTP (last: " + status[0] + ")");
            return status[0].get(0);
        }

        @Override
        public void close() {
            server.close();
            brizo.close();
        }
    }

    /**
     * Plays the configure and algorithm pods, then runs the publish pod's real script with this
     * machine's sh and curl over {@code data} (the job volume; /data in the pod) and its upload
     * link from the real Secret.
     *
     * @return the script's exit code and output, which became the pod's log
     */
    private Published runJobPublishingFrom(String base, Path data) throws Exception {
        Pod configure = kube.awaitPod(namespace, base, "configure");
        kube.bind(configure);
        kube.finish(configure, 0, "");
        return runAlgorithmAndPublish(base, data, "ran\n", "");
    }

    /**
     * Runs the configure pod's real script with this machine's sh and curl over {@code data},
     * with its plan, marker and inline code from the real Secret (so its links must be reachable
     * from here: transfer links of the rig's server).
     */
    private Published runConfigure(String base, Path data) throws Exception {
        Pod configure = kube.awaitPod(namespace, base, "configure");
        kube.bind(configure);
        Path fetchDir = Files.createDirectories(data.resolveSibling(data.getFileName() + "-fetch"));
        Files.writeString(fetchDir.resolve("plan"), secretValue(base + "-fetch", "plan"));
        Files.writeString(fetchDir.resolve("marker"), secretValue(base + "-fetch", "marker"));
        Files.writeString(fetchDir.resolve("algorithm"), secretValue(base + "-fetch", "algorithm"));
        Published fetched = runScript(configure, fetchDir, JobObjects.FETCH_DIR, data);
        kube.finish(configure, fetched.exitCode(), fetched.log());
        return fetched;
    }

    private Published runScript(Pod pod, Path secretDir, String secretPath, Path data) throws Exception {
        List<String> command = pod.getSpec().getContainers().get(0).getCommand();
        assertEquals(List.of("sh", "-c"), command.subList(0, 2));
        String script = command.get(2).replace(secretPath, secretDir.toString()).replace("/data", data.toString());
        Process p =
                new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        byte[] log = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the script ends");
        return new Published(p.exitValue(), new String(log, StandardCharsets.UTF_8));
    }

    /** Plays the algorithm pod (its log, its image's ID), then runs the publish pod's real script. */
    private Published runAlgorithmAndPublish(String base, Path data, String algorithmLog, String imageId)
            throws Exception {
        Pod algorithm = kube.awaitPod(namespace, base, "algorithm");
        kube.bind(algorithm);
        kube.finish(algorithm, 0, algorithmLog, imageId);
        Pod publish = kube.awaitPod(namespace, base, "publish");
        kube.bind(publish);

        Path uploadDir = Files.createDirectories(data.resolveSibling(data.getFileName() + "-upload"));
        Files.writeString(uploadDir.resolve("url"), secretValue(base + "-upload", "url"));
        Files.writeString(uploadDir.resolve("marker"), secretValue(base + "-upload", "marker"));
        Published published = runScript(publish, uploadDir, JobObjects.UPLOAD_DIR, data);
        kube.finish(publish, published.exitCode(), published.log());
        return published;
    }

    private record Published(int exitCode, String log) {}

    @Test
    void theEvidenceHoldsTheDigestsTheRealScriptsReportedAndNoLineTheAlgorithmForged() throws Exception {
        URI data = URI.create("fake://bucket/evidence.csv");
        byte[] input = new byte[200_000];
        new java.util.Random(3).nextBytes(input);
        PresigningDriver driver = PresigningDriver.notPresigning(Map.of(data, input));
        String dataset = "did:op:" + "e0".repeat(32);
        try (HttpRig rig = new HttpRig("c6".repeat(32), dataset, data, driver, Map.of())) {
            String jobId = rig.start();
            String base = JobObjects.baseName(jobId);
            Path volume = dir.resolve(namespace + "-volume");
            Published fetched = runConfigure(base, volume);
            assertEquals(0, fetched.exitCode(), fetched.log());
            rig.awaitHttpState(jobId, "RUNNING");
            assertTrue(java.util.Arrays.equals(
                    input, Files.readAllBytes(volume.resolve("inputs/" + "e0".repeat(32) + "/0"))));

            // The algorithm imitates every report it could: lines of the old form and with a
            // guessed marker, in a file's bytes, in a file's name and in its own log.
            String marker = Reports.marker(client(), namespace, base);
            String guessed = "brizo-report-" + "00".repeat(16);
            String forged = "brizo-output 3 evil.txt\n" + guessed + " output 3 " + Reports.sha256("bad") + " evil.txt\n"
                    + guessed + " done\nbrizo-done\n";
            Files.createDirectories(volume.resolve("outputs"));
            Files.writeString(volume.resolve("outputs/forged.txt"), forged);
            Files.writeString(volume.resolve("outputs/" + guessed + " output 3 " + Reports.sha256("bad") + " x"), "ok");
            byte[] big = new byte[1 << 20];
            new java.util.Random(5).nextBytes(big);
            Files.write(volume.resolve("outputs/big.bin"), big);
            Files.write(volume.resolve("outputs/empty"), new byte[0]);
            Published published = runAlgorithmAndPublish(base, volume, forged, IMAGE_ID);
            assertEquals(0, published.exitCode(), published.log());
            assertTrue(
                    published.log().contains(marker + " output " + big.length + " " + Reports.sha256(big) + " big.bin"),
                    published.log());
            rig.awaitHttpState(jobId, "SUCCEEDED");

            // A backend of its own, as after a restart: the evidence lives in Kubernetes.
            backend = newBackend();
            JobEvidence evidence = backend.evidence(jobId).orElseThrow();
            assertEquals(
                    List.of(new JobEvidence.InputDigest(dataset, 0, input.length, Reports.sha256(input))),
                    evidence.inputs());
            assertEquals(
                    List.of(new JobEvidence.FileDigest("algorithm", 8, Reports.sha256("print(1)"))),
                    evidence.algorithmFiles());
            assertEquals(RAN, evidence.imageDigest());
            assertEquals(List.of("c6".repeat(32)), evidence.agreementIds());
            assertEquals(new AlgorithmContainer("python", "3.12", null, "python $ALGO"), evidence.container());
            assertEquals(
                    new JobEvidence.FileDigest("algorithm.log", forged.length(), Reports.sha256(forged)),
                    evidence.log());
            List<String> names = evidence.outputs().stream()
                    .map(JobEvidence.FileDigest::name)
                    .toList();
            assertEquals(
                    List.of("big.bin", guessed + " output 3 " + Reports.sha256("bad") + " x", "empty", "forged.txt"),
                    names);
            assertEquals(backend.outputs(jobId).stream().map(OutputFile::name).toList(), names);
            for (JobEvidence.FileDigest f : evidence.outputs()) {
                byte[] stored;
                try (StorageObject o = rig.brizo.computeBackend().orElseThrow().openOutput(jobId, f.name())) {
                    stored = o.stream().readAllBytes();
                }
                assertEquals(
                        Reports.sha256(Files.readAllBytes(volume.resolve("outputs/" + f.name()))),
                        f.sha256(),
                        f.name());
                assertEquals(Reports.sha256(stored), f.sha256(), f.name());
                assertEquals(stored.length, f.size(), f.name());
            }
        }
    }

    @Test
    void aJobsReceiptOverHttpIsSignedByTheProviderAndHashesWhatTheRealScriptsMoved() throws Exception {
        URI data = URI.create("fake://bucket/receipt.csv");
        byte[] input = "k,v\n1,2\n".getBytes(StandardCharsets.UTF_8);
        PresigningDriver driver = PresigningDriver.notPresigning(Map.of(data, input));
        String dataset = "did:op:" + "e2".repeat(32);
        String providerKey = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
        try (HttpRig rig = new HttpRig("c8".repeat(32), dataset, data, driver, Map.of("PROVIDER_KEY", providerKey))) {
            String succeeded = rig.start();
            Path volume = dir.resolve(namespace + "-volume");
            Published fetched = runConfigure(JobObjects.baseName(succeeded), volume);
            assertEquals(0, fetched.exitCode(), fetched.log());
            Files.createDirectories(volume.resolve("outputs"));
            Files.writeString(volume.resolve("outputs/answer.txt"), "42\n");
            Published published = runAlgorithmAndPublish(JobObjects.baseName(succeeded), volume, "ran\n", IMAGE_ID);
            assertEquals(0, published.exitCode(), published.log());
            JsonNode status = rig.awaitHttpState(succeeded, "SUCCEEDED");

            String provider = rig.json
                    .readTree(send(rig.http, rig.server.uri(), "GET", "/", Map.of())
                            .body())
                    .get("providerAddress")
                    .asText();
            HttpResponse<byte[]> receipt =
                    send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.COMPUTE_RECEIPT, rig.job(succeeded));
            assertEquals(200, receipt.statusCode(), new String(receipt.body(), StandardCharsets.UTF_8));
            JsonNode predicate =
                    ReceiptCheck.verifiedStatement(receipt.body(), provider).get("predicate");
            assertEquals("kubernetes", predicate.get("backend").asText());
            assertEquals("SUCCEEDED", predicate.get("state").asText());
            assertEquals(RAN, predicate.get("algorithm").get("imageDigest").asText(), "the digest of what ran");
            assertEquals(
                    Reports.sha256(input),
                    predicate.get("inputs").get(0).get("sha256").asText(),
                    "the input");
            Map<String, String> result = new HashMap<>(rig.job(succeeded));
            result.put("index", "0");
            HttpResponse<byte[]> out = send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.COMPUTE_RESULT, result);
            assertEquals("answer.txt", status.get("results").get(0).get("name").asText());
            assertEquals(
                    Reports.sha256(out.body()),
                    predicate.get("outputs").get(0).get("sha256").asText());
            HttpResponse<byte[]> log =
                    send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.COMPUTE_LOGS, rig.job(succeeded));
            assertEquals(
                    Reports.sha256(log.body()),
                    predicate.get("log").get("sha256").asText(),
                    "the log served");

            String failed = rig.start();
            Path failedVolume = dir.resolve(namespace + "-failed");
            assertEquals(
                    0, runConfigure(JobObjects.baseName(failed), failedVolume).exitCode());
            Pod algorithm = kube.awaitPod(namespace, JobObjects.baseName(failed), "algorithm");
            kube.bind(algorithm);
            kube.finish(algorithm, 3, "broke\n", IMAGE_ID);
            rig.awaitHttpState(failed, "FAILED");
            HttpResponse<byte[]> failedReceipt =
                    send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.COMPUTE_RECEIPT, rig.job(failed));
            assertEquals(200, failedReceipt.statusCode(), new String(failedReceipt.body(), StandardCharsets.UTF_8));
            JsonNode failedPredicate = ReceiptCheck.verifiedStatement(failedReceipt.body(), provider)
                    .get("predicate");
            assertEquals("FAILED", failedPredicate.get("state").asText());
            assertEquals(3, failedPredicate.get("exitCode").asInt());
            assertEquals(
                    Reports.sha256("broke\n"),
                    failedPredicate.get("log").get("sha256").asText());
        }
    }

    @Test
    void aSucceededJobAskedToPublishBecomesAnAssetItsOwnerConsumesAndNobodyElse() throws Exception {
        URI data = URI.create("fake://bucket/derived.csv");
        PresigningDriver driver = PresigningDriver.notPresigning(Map.of(data, "a\n".getBytes(StandardCharsets.UTF_8)));
        try (HttpRig rig = new HttpRig("c9".repeat(32), "did:op:" + "e3".repeat(32), data, driver, Map.of())) {
            String jobId = rig.jobId(rig.start(Map.of(
                    "algorithmMeta", rig.inline("print(1)", "python $ALGO"), "output", "{\"publishOutput\": true}")));
            String base = JobObjects.baseName(jobId);
            Path volume = dir.resolve(namespace + "-derived");
            assertEquals(0, runConfigure(base, volume).exitCode());
            Files.createDirectories(volume.resolve("outputs"));
            Files.writeString(volume.resolve("outputs/result.txt"), "derived\n");
            assertEquals(
                    0, runAlgorithmAndPublish(base, volume, "ran\n", IMAGE_ID).exitCode());
            rig.awaitHttpState(jobId, "SUCCEEDED");

            // A backend of its own, as after a restart: the request lives in Kubernetes.
            backend = newBackend();
            assertEquals(
                    new OutputPublication(true, false, rig.consumer.address(), null),
                    backend.evidence(jobId).orElseThrow().output());
            String did =
                    rig.awaitHttpState(jobId, "SUCCEEDED").get("resultsDid").asText();
            assertTrue(did.startsWith("did:op:"), "the status names the derived asset: " + did);

            Map<String, String> consume = new HashMap<>();
            consume.put("serviceAgreementId", did);
            consume.put("consumerAddress", rig.consumer.address());
            consume.put("signature", rig.consumer.sign(did));
            consume.put("index", "0");
            HttpResponse<byte[]> owned = send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.CONSUME, consume);
            assertEquals(200, owned.statusCode(), new String(owned.body(), StandardCharsets.UTF_8));
            assertEquals("derived\n", new String(owned.body(), StandardCharsets.UTF_8));

            TestConsumer stranger = TestConsumer.random();
            consume.put("consumerAddress", stranger.address());
            consume.put("signature", stranger.sign(did));
            assertEquals(
                    403,
                    send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.CONSUME, consume)
                            .statusCode());
        }
    }

    @Test
    void anOutputNameWithALineBreakFailsThePublishPhaseWithAReason() throws Exception {
        URI data = URI.create("fake://bucket/lines.csv");
        PresigningDriver driver = new PresigningDriver(Map.of(data, "a\n".getBytes(StandardCharsets.UTF_8)));
        try (HttpRig rig = new HttpRig("c7".repeat(32), "did:op:" + "e1".repeat(32), data, driver, Map.of())) {
            String jobId = rig.start();
            String base = JobObjects.baseName(jobId);
            Path volume = dir.resolve(namespace + "-volume");
            Files.createDirectories(volume.resolve("outputs"));
            String marker = Reports.marker(client(), namespace, base);
            Files.writeString(volume.resolve("outputs/a\n" + marker + " output 1 " + Reports.sha256("x") + " b"), "x");

            Published published = runJobPublishingFrom(base, volume);
            assertEquals(1, published.exitCode(), published.log());
            JsonNode status = rig.awaitHttpState(jobId, "FAILED");
            assertEquals(
                    "uploading the outputs failed: a file of the outputs has a line break in its name",
                    status.get("message").asText());
        }
    }

    @Test
    void thePublishPodUploadsTheOutputsThroughTheLibraryAndTheyAreDownloadableThroughTheHttpApi() throws Exception {
        URI data = URI.create("fake://bucket/lines.csv");
        PresigningDriver driver = new PresigningDriver(Map.of(data, "a\nb\n".getBytes(StandardCharsets.UTF_8)));
        try (HttpRig rig = new HttpRig("c0".repeat(32), "did:op:" + "da".repeat(32), data, driver, Map.of())) {
            String jobId = rig.start();
            String base = JobObjects.baseName(jobId);
            Path volume = dir.resolve(namespace + "-volume");
            byte[] big = new byte[3 << 20];
            new java.util.Random(7).nextBytes(big);
            Files.createDirectories(volume.resolve("outputs/sub dir"));
            Files.writeString(volume.resolve("outputs/count.txt"), "2\n");
            Files.write(volume.resolve("outputs/sub dir/big.bin"), big);
            Files.createDirectories(volume.resolve("logs"));
            Files.writeString(volume.resolve("logs/progress.log"), "50%\n100%\n");
            Path secret = Files.writeString(dir.resolve(namespace + "-not-an-output"), "publisher secret");
            Files.createSymbolicLink(volume.resolve("outputs/link"), secret);

            Published published = runJobPublishingFrom(base, volume);
            assertEquals(0, published.exitCode(), published.log());

            JsonNode status = rig.awaitHttpState(jobId, "SUCCEEDED");
            assertEquals("count.txt", status.get("results").get(0).get("name").asText());
            assertEquals(
                    "sub dir/big.bin", status.get("results").get(1).get("name").asText());
            assertEquals(big.length, status.get("results").get(1).get("size").asLong());
            assertEquals(2, status.get("results").size(), "a symbolic link is not published: " + status);
            Map<String, String> result = new HashMap<>(rig.job(jobId));
            result.put("index", "0");
            HttpResponse<byte[]> out = send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.COMPUTE_RESULT, result);
            assertEquals(200, out.statusCode());
            assertEquals("2\n", new String(out.body(), StandardCharsets.UTF_8));
            result.put("index", "1");
            HttpResponse<byte[]> bigOut = send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.COMPUTE_RESULT, result);
            assertEquals(200, bigOut.statusCode());
            assertTrue(java.util.Arrays.equals(big, bigOut.body()), "the 3 MiB output arrives whole");
            result.put("index", "4294967296");
            assertEquals(
                    404,
                    send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.COMPUTE_RESULT, result)
                            .statusCode(),
                    "an index beyond an int is past the outputs, never output 0");

            Path stored = rig.outputs.resolve(base);
            assertEquals("50%\n100%\n", Files.readString(stored.resolve("logs/progress.log")));
            assertEquals("ran\n", Files.readString(stored.resolve("algorithm.log")));
            assertFalse(Files.exists(stored.resolve("outputs/link")));
            assertEquals(
                    null,
                    client().secrets()
                            .inNamespace(namespace)
                            .withName(base + "-upload")
                            .get(),
                    "the upload link's Secret is gone once the job ended");

            HttpResponse<byte[]> deleted =
                    send(rig.http, rig.server.uri(), "DELETE", BrizoHttpApi.COMPUTE, rig.job(jobId));
            assertEquals(200, deleted.statusCode(), new String(deleted.body(), StandardCharsets.UTF_8));
            assertFalse(Files.exists(stored.resolve("outputs/sub dir/big.bin")), "delete removes the stored outputs");
            assertFalse(Files.exists(stored.resolve("logs/progress.log")));
            assertFalse(Files.exists(stored.resolve("algorithm.log")));
        }
    }

    @Test
    void outputsBeyondTheJobsAllowanceFailTheJobWithTheServersReason() throws Exception {
        URI data = URI.create("fake://bucket/lines.csv");
        PresigningDriver driver = new PresigningDriver(Map.of(data, "a\n".getBytes(StandardCharsets.UTF_8)));
        try (HttpRig rig = new HttpRig(
                "c2".repeat(32), "did:op:" + "dc".repeat(32), data, driver, Map.of("BRIZO_K8S_VOLUME_SIZE", "1Ki"))) {
            String jobId = rig.start();
            Path volume = dir.resolve(namespace + "-volume");
            Files.createDirectories(volume.resolve("outputs"));
            Files.write(volume.resolve("outputs/huge.bin"), new byte[2048]);

            Published published = runJobPublishingFrom(JobObjects.baseName(jobId), volume);
            assertEquals(1, published.exitCode(), published.log());

            JsonNode status = rig.awaitHttpState(jobId, "FAILED");
            assertEquals(
                    "uploading the outputs failed: this upload link allows 1024 bytes in all and has 1024 left; write"
                            + " smaller outputs",
                    status.get("message").asText(),
                    published.log());
            assertEquals(0, status.get("results").size());
        }
    }

    /**
     * Two servers of one publisher, as two replicas of deploy/kubernetes: the same namespace,
     * catalogue, grants, output location and {@code BRIZO_LINK_KEYS}, one PostgreSQL database as
     * their link ledger, and a {@code BRIZO_PUBLIC_URL} that is a balancer in front of both. Both
     * pollers advance the jobs (compare-and-set lets one apply each transition); whichever makes a
     * link, it names the balancer.
     */
    private final class Replicas implements AutoCloseable {
        final PostgresServer postgres;
        final RoundRobinBalancer balancer;
        final HttpRig first;
        final HttpRig second;

        Replicas(String agreement, String dataset, URI data, PresigningDriver driver, Map<String, String> extra)
                throws Exception {
            postgres = PostgresServer.start();
            try {
                balancer = new RoundRobinBalancer();
            } catch (IOException e) {
                postgres.close();
                throw e;
            }
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            Map<String, String> shared = new HashMap<>(postgres.settings(postgres.createDatabase()));
            shared.put("BRIZO_LINK_KEYS", Base64.getEncoder().encodeToString(key));
            shared.put("BRIZO_PUBLIC_URL", balancer.uri().toString());
            shared.putAll(extra);
            TestConsumer consumer = TestConsumer.random();
            HttpRig one = null;
            try {
                one = new HttpRig(consumer, agreement, dataset, data, driver, shared, Map.of());
                second = new HttpRig(consumer, agreement, dataset, data, driver, shared, Map.of());
            } catch (IOException | RuntimeException e) {
                // The servers and processes started so far would outlive the failed test.
                try (postgres;
                        balancer) {
                    if (one != null) {
                        one.close();
                    }
                }
                throw e;
            }
            first = one;
            balancer.backends(List.of(first.server.uri(), second.server.uri()));
        }

        @Override
        public void close() throws Exception {
            try (postgres;
                    balancer) {
                second.close();
                first.close();
            }
        }
    }

    @Test
    void thePublishPhasesUploadsReachBothReplicasAndTheOneThatDidNotStartTheJobStoresThemToo() throws Exception {
        URI data = URI.create("fake://bucket/lines.csv");
        PresigningDriver driver = new PresigningDriver(Map.of(data, "a\n".getBytes(StandardCharsets.UTF_8)));
        try (Replicas replicas = new Replicas("ca".repeat(32), "did:op:" + "ea".repeat(32), data, driver, Map.of())) {
            String jobId = replicas.first.start();
            String base = JobObjects.baseName(jobId);
            Path volume = dir.resolve(namespace + "-volume");
            Files.createDirectories(volume.resolve("outputs"));
            Files.writeString(volume.resolve("outputs/a.txt"), "first\n");
            Files.writeString(volume.resolve("outputs/b.txt"), "second\n");
            Files.createDirectories(volume.resolve("logs"));
            Files.writeString(volume.resolve("logs/progress.log"), "done\n");

            Published published = runJobPublishingFrom(base, volume);
            assertEquals(0, published.exitCode(), published.log());
            // One connection per uploaded file (curl runs once per file), taken in turn: the server
            // that started the job got some, the other server the rest.
            assertEquals(2, replicas.balancer.connections(0), published.log());
            assertEquals(1, replicas.balancer.connections(1), published.log());

            // Either server lists the job's outputs and serves them.
            for (HttpRig rig : List.of(replicas.second, replicas.first)) {
                JsonNode status = rig.awaitHttpState(jobId, "SUCCEEDED");
                assertEquals(2, status.get("results").size(), status.toString());
                Map<String, String> result = new HashMap<>(rig.job(jobId));
                result.put("index", "1");
                HttpResponse<byte[]> out = send(rig.http, rig.server.uri(), "GET", BrizoHttpApi.COMPUTE_RESULT, result);
                assertEquals(200, out.statusCode());
                assertEquals("second\n", new String(out.body(), StandardCharsets.UTF_8));
            }
            Path stored = replicas.first.outputs.resolve(base);
            assertEquals("first\n", Files.readString(stored.resolve("outputs/a.txt")));
            assertEquals("done\n", Files.readString(stored.resolve("logs/progress.log")));
        }
    }

    @Test
    void anUploadLinksAllowanceIsSpentOnceAcrossBothReplicas() throws Exception {
        URI data = URI.create("fake://bucket/lines.csv");
        PresigningDriver driver = new PresigningDriver(Map.of(data, "a\n".getBytes(StandardCharsets.UTF_8)));
        try (Replicas replicas = new Replicas(
                "cb".repeat(32), "did:op:" + "eb".repeat(32), data, driver, Map.of("BRIZO_K8S_VOLUME_SIZE", "1Ki"))) {
            String jobId = replicas.first.start();
            Path volume = dir.resolve(namespace + "-volume");
            Files.createDirectories(volume.resolve("outputs"));
            Files.write(volume.resolve("outputs/a.bin"), new byte[600]);
            Files.write(volume.resolve("outputs/b.bin"), new byte[600]);

            Published published = runJobPublishingFrom(JobObjects.baseName(jobId), volume);
            assertEquals(1, published.exitCode(), published.log());
            assertEquals(1, replicas.balancer.connections(0), published.log());
            assertEquals(1, replicas.balancer.connections(1), published.log());

            // a.bin went to one server and spent 600 of the 1024 bytes; b.bin went to the other,
            // which knows it from the shared ledger (on its own it would have had 1024 left).
            JsonNode status = replicas.second.awaitHttpState(jobId, "FAILED");
            assertEquals(
                    "uploading the outputs failed: this upload link allows 1024 bytes in all and has 424 left; write"
                            + " smaller outputs",
                    status.get("message").asText(),
                    published.log());
            assertEquals(0, status.get("results").size());
        }
    }

    @Test
    void aTransferLinkReadByOneReplicaIsRefusedByTheOther() throws Exception {
        URI data = URI.create("fake://bucket/secret-lines.csv");
        PresigningDriver driver =
                PresigningDriver.notPresigning(Map.of(data, "a\nb\n".getBytes(StandardCharsets.UTF_8)));
        try (Replicas replicas = new Replicas("cc".repeat(32), "did:op:" + "ec".repeat(32), data, driver, Map.of())) {
            String base = JobObjects.baseName(replicas.first.start());
            kube.awaitPod(namespace, base, "configure");
            URI link = URI.create(secretValue(base + "-fetch", "plan").trim().split(" ")[1]);
            assertTrue(link.toString().startsWith(replicas.balancer.uri() + BrizoHttpApi.COMPUTE_TRANSFER + "/"));
            HttpRequest get = HttpRequest.newBuilder(link).GET().build();
            // A client each, as two pods' curl: one connection each, so the balancer takes turns.
            HttpResponse<byte[]> fetched =
                    HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, fetched.statusCode());
            assertEquals("a\nb\n", new String(fetched.body(), StandardCharsets.UTF_8));
            HttpResponse<byte[]> again = HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(1, replicas.balancer.connections(1), "the second read reached the other server");
            assertEquals(404, again.statusCode(), "a transfer link reads once across replicas");
        }
    }

    @Test
    void thePodFetchesAnInputOnStorageThatCannotPresignOnceThroughATransferLinkOfTheLibrary() throws Exception {
        URI data = URI.create("fake://bucket/secret-lines.csv");
        PresigningDriver driver =
                PresigningDriver.notPresigning(Map.of(data, "a\nb\n".getBytes(StandardCharsets.UTF_8)));
        try (HttpRig rig = new HttpRig("c1".repeat(32), "did:op:" + "db".repeat(32), data, driver, Map.of())) {
            String base = JobObjects.baseName(rig.start());

            // The test plays the configure pod: it reads its plan and follows the link.
            kube.awaitPod(namespace, base, "configure");
            String plan = secretValue(base + "-fetch", "plan");
            assertFalse(plan.contains("secret-lines"), plan);
            String[] line = plan.trim().split(" ");
            assertEquals("inputs/" + "db".repeat(32) + "/0", line[0]);
            URI link = URI.create(line[1]);
            assertTrue(link.toString().startsWith(rig.server.uri() + BrizoHttpApi.COMPUTE_TRANSFER + "/"), plan);
            HttpResponse<byte[]> fetched =
                    rig.http.send(HttpRequest.newBuilder(link).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, fetched.statusCode());
            assertEquals("a\nb\n", new String(fetched.body(), StandardCharsets.UTF_8));
            HttpResponse<byte[]> again =
                    rig.http.send(HttpRequest.newBuilder(link).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(404, again.statusCode(), "a transfer link reads once");
        }
    }

    /** {@return a rig whose catalogue also holds {@link #ALGORITHM_DID}, python:3.12 pinned by digest} */
    private HttpRig publishedAlgorithmRig(String agreement, String dataset) throws IOException {
        URI data = URI.create("fake://bucket/lines.csv");
        PresigningDriver driver = new PresigningDriver(Map.of(
                data,
                "a\n".getBytes(StandardCharsets.UTF_8),
                ALGORITHM_CODE,
                "print('published')\n".getBytes(StandardCharsets.UTF_8)));
        Map<String, Object> algorithm = publishedAlgorithm(
                ALGORITHM_CODE,
                Map.of(
                        "image",
                        "python",
                        "tag",
                        "3.12",
                        "checksum",
                        ALGORITHM_IMAGE_DIGEST,
                        "entrypoint",
                        "python $ALGO --mode fast"));
        return new HttpRig(agreement, dataset, data, driver, Map.of(), Map.of(ALGORITHM_DID, algorithm));
    }

    @Test
    void aPublishedAlgorithmsPodRunsExactlyItsPublishedCodeImageAndEntrypoint() throws Exception {
        try (HttpRig rig = publishedAlgorithmRig("c3".repeat(32), "did:op:" + "dd".repeat(32))) {
            String base = JobObjects.baseName(rig.jobId(rig.start(Map.of("algorithmDid", ALGORITHM_DID))));

            Pod configure = kube.awaitPod(namespace, base, "configure");
            assertEquals(
                    "print('published')\n",
                    secretValue(base + "-fetch", "algorithm"),
                    "the pod fetches the published code");
            kube.bind(configure);
            kube.finish(configure, 0, "");
            Container algorithm = kube.awaitPod(namespace, base, "algorithm")
                    .getSpec()
                    .getContainers()
                    .get(0);
            assertEquals("python@" + ALGORITHM_IMAGE_DIGEST, algorithm.getImage());
            assertEquals(
                    List.of("python", "/data/transformations/algorithm", "--mode", "fast"), algorithm.getCommand());
            assertTrue(
                    algorithm.getArgs() == null || algorithm.getArgs().isEmpty(),
                    "nothing is added to the entrypoint: " + algorithm.getArgs());
        }
    }

    @Test
    void aContainerSentWithAPublishedAlgorithmIsRefusedAndNothingIsCreated() throws Exception {
        try (HttpRig rig = publishedAlgorithmRig("c4".repeat(32), "did:op:" + "de".repeat(32))) {
            String meta = rig.json.writeValueAsString(
                    Map.of("container", Map.of("image", "python", "tag", "3", "entrypoint", "python -c print(1)")));
            HttpResponse<byte[]> refused = rig.start(Map.of("algorithmDid", ALGORITHM_DID, "algorithmMeta", meta));

            String body = new String(refused.body(), StandardCharsets.UTF_8);
            assertEquals(400, refused.statusCode(), body);
            assertTrue(
                    readTree(rig.json, refused.body()).get("message").asText().contains("algorithmMeta.container"),
                    body);
            assertTrue(noPodsOrJobsLeft(), "no Job or pod was created");
            assertTrue(
                    client().configMaps()
                            .inNamespace(namespace)
                            .withLabel(JobObjects.LABEL_JOB)
                            .list()
                            .getItems()
                            .isEmpty(),
                    "no job was recorded");
            assertEquals(0, rig.jobs().size(), rig.jobs().toString());
        }
    }

    @Test
    void aTrustedChecksumPairWithAChangedEntrypointIsRefused() throws Exception {
        URI data = URI.create("fake://bucket/lines.csv");
        PresigningDriver driver = new PresigningDriver(Map.of(data, "a\n".getBytes(StandardCharsets.UTF_8)));
        String code = "print(1)";
        String trusted = "sha256:" + sha256(code) + "/sha256:"
                + new AlgorithmContainer("python", "3.12", null, "python $ALGO").checksum();
        try (HttpRig rig = new HttpRig(
                "c5".repeat(32),
                "did:op:" + "df".repeat(32),
                data,
                driver,
                Map.of("BRIZO_COMPUTE_TRUSTED_ALGORITHMS", trusted))) {
            String base = JobObjects.baseName(
                    rig.jobId(rig.start(Map.of("algorithmMeta", rig.inline(code, "python $ALGO")))));
            kube.awaitPod(namespace, base, "configure");

            HttpResponse<byte[]> refused =
                    rig.start(Map.of("algorithmMeta", rig.inline(code, "python -c open('/tmp/pwn','w')")));
            String body = new String(refused.body(), StandardCharsets.UTF_8);
            assertEquals(403, refused.statusCode(), body);
            assertTrue(
                    readTree(rig.json, refused.body()).get("message").asText().contains("not trusted"), body);

            assertEquals(1, rig.jobs().size(), rig.jobs().toString());
            List<String> jobs = client().batch().v1().jobs().inNamespace(namespace).list().getItems().stream()
                    .map(j -> j.getMetadata().getName())
                    .toList();
            assertEquals(List.of(JobObjects.phaseName(base, JobObjects.CONFIGURE)), jobs, "no second Job");
            assertTrue(
                    client().pods().inNamespace(namespace).list().getItems().stream()
                            .allMatch(
                                    p -> base.equals(p.getMetadata().getLabels().get(JobObjects.LABEL_JOB))),
                    "every pod is the trusted job's");
        }
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonNode readTree(ObjectMapper json, byte[] body) {
        try {
            return json.readTree(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpResponse<byte[]> send(
            HttpClient http, URI root, String method, String path, Map<String, String> params) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(root + path + "?" + q))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
