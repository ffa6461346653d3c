package io.brizo.compute.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.HttpRequest;
import io.brizo.http.HttpResponse;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.OutputFile;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageObject;
import io.brizo.spi.Verdict;
import io.brizo.testkit.TestConsumer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backend against fabric8's mock API server, which has no controllers: the test plays the Job
 * controller and the kubelet by writing Job conditions and pods itself.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesComputeBackendMockTest {
    static final String NS = "test";

    KubernetesMockServer server;
    KubernetesClient client;
    KubernetesComputeBackend backend;
    FakeStorage storage;

    @BeforeEach
    void open() {
        backend = newBackend();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private KubernetesComputeBackend newBackend() {
        if (storage == null) {
            storage = new FakeStorage("https://127.0.0.1:9/presigned/");
        }
        return new KubernetesComputeBackend(Jobs.config(NS), client, storage, false);
    }

    private String secretValue(String name, String key) {
        Secret secret = client.secrets().inNamespace(NS).withName(name).get();
        assertNotNull(secret, name + " exists");
        return secret.getStringData() != null
                ? secret.getStringData().get(key)
                : new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    /**
     * Plays the publish pod: uploads {@code files} (name under /data to content) through the
     * job's upload link and returns the manifest it prints.
     */
    private String publishPod(String id, Map<String, String> files) {
        String link = secretValue(base(id) + "-upload", "url");
        String marker = marker(id);
        StringBuilder log = new StringBuilder("uploading\n");
        files.forEach((name, content) -> {
            storage.upload(link, name, content.getBytes(StandardCharsets.UTF_8));
            String kind = name.startsWith("outputs/") ? "output" : "log";
            log.append(Reports.published(
                    marker, kind, name.substring(name.indexOf('/') + 1), content.getBytes(StandardCharsets.UTF_8)));
        });
        return log.append(Reports.done(marker)).toString();
    }

    private String marker(String id) {
        return Reports.marker(client, NS, base(id));
    }

    /** Runs the job until its algorithm has exited 0, with an empty log. */
    private void runAlgorithmToItsEnd(String id) {
        runUntilAlgorithm(id);
        pod(id, "algorithm", exited(0));
        podLog(id, "algorithm", "");
        endPhase(id, "algorithm", "Complete", null);
    }

    private void runUntilPublishing(String id) {
        runAlgorithmToItsEnd(id);
        assertEquals(JobState.PUBLISHING, backend.status(id).state());
    }

    private static String base(String id) {
        return "brizo-" + id;
    }

    private Job phase(String id, String phase) {
        return client.batch()
                .v1()
                .jobs()
                .inNamespace(NS)
                .withName(base(id) + "-" + phase)
                .get();
    }

    /** Plays the Job controller: marks a phase's Job with a condition. */
    private void endPhase(String id, String phase, String type, String reason) {
        Job job = phase(id, phase);
        assertNotNull(job, phase + " Job exists");
        job.setStatus(new JobStatusBuilder()
                .addNewCondition()
                .withType(type)
                .withStatus("True")
                .withReason(reason)
                .endCondition()
                .build());
        client.batch().v1().jobs().inNamespace(NS).resource(job).update();
    }

    /** The image reference of {@link Jobs#job}'s algorithm, as the backend writes it. */
    private static final String PINNED = "python@sha256:" + "0".repeat(64);

    /**
     * Plays the kubelet: a pod of the phase with one container in the given state, running the
     * image the backend asked for (the pinned one for the algorithm).
     */
    private void pod(String id, String phase, io.fabric8.kubernetes.api.model.ContainerState state) {
        pod(id, phase, state, phase.equals("algorithm") ? PINNED : "x", null);
    }

    private void pod(
            String id,
            String phase,
            io.fabric8.kubernetes.api.model.ContainerState state,
            String image,
            String imageId) {
        String name = base(id) + "-" + phase + "-x1";
        client.pods()
                .inNamespace(NS)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(Map.of(JobObjects.LABEL_JOB, base(id), JobObjects.LABEL_PHASE, phase))
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName(phase)
                        .withImage(image)
                        .endContainer()
                        .endSpec()
                        .withNewStatus()
                        .addNewContainerStatus()
                        .withName(phase)
                        .withImageID(imageId)
                        .withState(state)
                        .endContainerStatus()
                        .endStatus()
                        .build())
                .create();
    }

    /**
     * Serves {@code log} as the phase container's log. The backend asks for a byte limit (the end
     * of the chunk it reads, the kept log's size, or the outputs' size), which is part of the path
     * the mock matches exactly; {@code offsets} are the live-log offsets the test reads from.
     */
    private void podLog(String id, String phase, String log, long... offsets) {
        List<Long> limits = new java.util.ArrayList<>(List.of(
                (long) KubernetesComputeBackend.MAX_KEPT_LOG + 1, (long) KubernetesComputeBackend.MAX_LOG_CHUNK, (long)
                        KubernetesComputeBackend.MAX_MANIFEST_LOG));
        for (long offset : offsets) {
            limits.add(offset + KubernetesComputeBackend.MAX_LOG_CHUNK);
        }
        for (long limit : limits) {
            server.expect()
                    .get()
                    .withPath("/api/v1/namespaces/" + NS + "/pods/" + base(id) + "-" + phase
                            + "-x1/log?pretty=false&container=" + phase + "&limitBytes=" + limit)
                    .andReturn(200, log)
                    .always();
        }
    }

    private static io.fabric8.kubernetes.api.model.ContainerState running() {
        return new ContainerStateBuilder().withNewRunning().endRunning().build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerState exited(int code) {
        return new ContainerStateBuilder()
                .withNewTerminated()
                .withExitCode(code)
                .endTerminated()
                .build();
    }

    private void runUntilAlgorithm(String id) {
        backend.start(Jobs.job(id, Duration.ofMinutes(10)));
        endPhase(id, "configure", "Complete", null);
        assertEquals(JobState.RUNNING, backend.status(id).state());
    }

    @Test
    void aStartedJobIsProvisioningWithItsObjectsUnderNamesDerivedFromItsId() {
        JobStatus status = backend.start(Jobs.job("a1", Duration.ofMinutes(10)));

        assertEquals(JobState.PROVISIONING, status.state());
        assertEquals(Jobs.OWNER, status.owner());
        assertEquals(Jobs.AGREEMENT, status.agreementId());
        ConfigMap root =
                client.configMaps().inNamespace(NS).withName("brizo-a1").get();
        assertEquals("a1", root.getMetadata().getAnnotations().get(KubernetesComputeBackend.A_JOB_ID));
        Secret secret =
                client.secrets().inNamespace(NS).withName("brizo-a1-fetch").get();
        String plan = secret.getStringData() != null
                ? secret.getStringData().get("plan")
                : new String(Base64.getDecoder().decode(secret.getData().get("plan")), StandardCharsets.UTF_8);
        assertEquals("inputs/" + "ab".repeat(32) + "/0 https://127.0.0.1:9/presigned/bucket/data.csv?signed=1\n", plan);
        assertEquals(
                "fast",
                client.persistentVolumeClaims()
                        .inNamespace(NS)
                        .withName("brizo-a1-data")
                        .get()
                        .getSpec()
                        .getStorageClassName());
        Job configure = phase("a1", "configure");
        assertEquals(
                "helper:1",
                configure
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage());
        assertEquals(
                root.getMetadata().getUid(),
                configure.getMetadata().getOwnerReferences().get(0).getUid());
        assertNull(phase("a1", "algorithm"), "the algorithm waits for its inputs");
    }

    @Test
    void theAlgorithmRunsPinnedByDigestWithItsEnvironmentsLimitsAndNoNetworkPrivilegesOrToken() {
        runUntilAlgorithm("a2");

        Job job = phase("a2", "algorithm");
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertEquals("python@sha256:" + "0".repeat(64), c.getImage());
        assertEquals(List.of("python", "/data/transformations/algorithm", "--fast"), c.getCommand());
        assertEquals(new Quantity("2.5"), c.getResources().getLimits().get("cpu"));
        assertEquals(new Quantity("1"), c.getResources().getLimits().get("nvidia.com/gpu"));
        assertEquals(c.getResources().getLimits(), c.getResources().getRequests());
        assertEquals(600L, job.getSpec().getActiveDeadlineSeconds());
        assertEquals(0, job.getSpec().getBackoffLimit());
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        assertEquals("gvisor", pod.getRuntimeClassName());
        assertNull(phase("a2", "configure").getSpec().getTemplate().getSpec().getRuntimeClassName());
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getPrivileged());
        assertEquals(Map.of("pool", "compute"), pod.getNodeSelector());
        assertEquals("registry-secret", pod.getImagePullSecrets().get(0).getName());
        NetworkPolicy policy = client.network()
                .v1()
                .networkPolicies()
                .inNamespace(NS)
                .withName("brizo-a2-no-egress")
                .get();
        assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
        assertTrue(policy.getSpec().getEgress() == null
                || policy.getSpec().getEgress().isEmpty());
        assertEquals(
                job.getSpec().getTemplate().getMetadata().getLabels().get(JobObjects.LABEL_PHASE),
                policy.getSpec().getPodSelector().getMatchLabels().get(JobObjects.LABEL_PHASE));
        assertNull(client.secrets().inNamespace(NS).withName("brizo-a2-fetch").get(), "input URLs are dropped");
        assertNotNull(backend.status("a2").started());
    }

    @Test
    void aJobRunsThroughItsPhasesAndItsLogAndOutputsCanBeReadAfterwards() throws IOException {
        runUntilAlgorithm("a3");
        pod("a3", "algorithm", exited(0));
        podLog("a3", "algorithm", "line 1\nline 2\n");
        endPhase("a3", "algorithm", "Complete", null);
        JobStatus publishing = backend.status("a3");
        assertEquals(JobState.PUBLISHING, publishing.state());
        assertEquals(0, publishing.exitCode());

        Job publish = phase("a3", "publish");
        assertEquals(
                "brizo-a3-upload",
                publish.getSpec().getTemplate().getSpec().getVolumes().stream()
                        .filter(v -> v.getSecret() != null)
                        .findFirst()
                        .orElseThrow()
                        .getSecret()
                        .getSecretName());
        assertTrue(publish.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts().stream()
                .allMatch(m -> Boolean.TRUE.equals(m.getReadOnly())));
        pod("a3", "publish", exited(0));
        String content = "count,3\n";
        Map<String, String> files = new java.util.LinkedHashMap<>();
        files.put("outputs/result.csv", content);
        files.put("outputs/sub/empty", "");
        files.put("logs/algo.log", "own log\n");
        podLog("a3", "publish", publishPod("a3", files));
        endPhase("a3", "publish", "Complete", null);

        JobStatus done = backend.status("a3");
        assertEquals(JobState.SUCCEEDED, done.state());
        assertNotNull(done.finished());
        assertEquals(List.of(new OutputFile("result.csv", 8), new OutputFile("sub/empty", 0)), backend.outputs("a3"));
        try (StorageObject o = backend.openOutput("a3", "result.csv")) {
            assertEquals(content, new String(o.stream().readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(
                "line 1\nline 2\n",
                new String(
                        storage.memory
                                .content(URI.create("mem:/jobs/brizo-a3/algorithm.log"))
                                .orElseThrow(),
                        StandardCharsets.UTF_8),
                "the container's log is stored beside the outputs");
        assertNull(client.secrets().inNamespace(NS).withName("brizo-a3-upload").get(), "the upload link is dropped");
        LogChunk log = backend.logs("a3", 7);
        assertEquals("line 2\n", new String(log.data(), StandardCharsets.UTF_8));
        assertTrue(log.complete());
        assertNull(phase("a3", "algorithm"), "phase Jobs are removed once the job ended");
        assertNull(client.persistentVolumeClaims()
                .inNamespace(NS)
                .withName("brizo-a3-data")
                .get());
        BrizoException missing = assertThrows(BrizoException.class, () -> backend.openOutput("a3", "nope"));
        assertEquals(ErrorKind.NOT_FOUND, missing.kind());
    }

    @Test
    void deletingAJobAlsoDeletesWhatItStoredInTheOutputLocation() {
        runUntilPublishing("a10");
        pod("a10", "publish", exited(0));
        Map<String, String> files = new java.util.LinkedHashMap<>();
        files.put("outputs/result.csv", "1\n");
        files.put("logs/algo.log", "log\n");
        podLog("a10", "publish", publishPod("a10", files));
        endPhase("a10", "publish", "Complete", null);
        assertEquals(JobState.SUCCEEDED, backend.status("a10").state());
        URI result = URI.create("mem:/jobs/brizo-a10/outputs/result.csv");
        assertTrue(storage.memory.content(result).isPresent());

        backend.delete("a10");

        assertEquals(JobState.DELETED, backend.status("a10").state());
        for (String left : List.of("outputs/result.csv", "logs/algo.log", "algorithm.log")) {
            assertTrue(
                    storage.memory
                            .content(URI.create("mem:/jobs/brizo-a10/" + left))
                            .isEmpty(),
                    left + " is deleted");
        }
    }

    @Test
    void aFailingAlgorithmEndsFailedWithItsExitCode() {
        runUntilAlgorithm("a4");
        pod("a4", "algorithm", exited(3));
        podLog("a4", "algorithm", "boom\n");
        endPhase("a4", "algorithm", "Failed", "BackoffLimitExceeded");

        JobStatus status = backend.status("a4");
        assertEquals(JobState.FAILED, status.state());
        assertEquals(3, status.exitCode());
        assertEquals("the algorithm exited with code 3", status.message());
        assertEquals("boom\n", new String(backend.logs("a4", 0).data(), StandardCharsets.UTF_8));
        assertEquals(List.of(), backend.outputs("a4"));
    }

    @Test
    void aJobPastItsDeadlineEndsFailedSayingSo() {
        runUntilAlgorithm("a5");
        endPhase("a5", "algorithm", "Failed", "DeadlineExceeded");

        JobStatus status = backend.status("a5");
        assertEquals(JobState.FAILED, status.state());
        assertNull(status.exitCode());
        assertEquals("the job exceeded its time limit of 600 s", status.message());
    }

    @Test
    void anImageThatCannotBePulledFailsTheJobWithTheKubeletsReason() {
        runUntilAlgorithm("a6");
        pod(
                "a6",
                "algorithm",
                new ContainerStateBuilder()
                        .withNewWaiting()
                        .withReason("ImagePullBackOff")
                        .withMessage("Back-off pulling image \"python@sha256:00\"")
                        .endWaiting()
                        .build());

        JobStatus status = backend.status("a6");
        assertEquals(JobState.FAILED, status.state());
        assertEquals(
                "the algorithm's image could not be pulled: ImagePullBackOff: Back-off pulling image \"python@sha256:00\"",
                status.message());
        assertNull(phase("a6", "algorithm"));
    }

    @Test
    void anAlgorithmPodGivenAnotherImageThanThePinnedOneFailsTheJobBeforeItCanPublish() {
        runUntilAlgorithm("p1");
        // As an admission webhook rewriting images would leave it.
        pod("p1", "algorithm", exited(0), "python:3.12", null);
        endPhase("p1", "algorithm", "Complete", null);

        JobStatus status = backend.status("p1");
        assertEquals(JobState.FAILED, status.state());
        assertEquals(
                "the algorithm's pod was given the image python:3.12 instead of " + PINNED + "; it was stopped",
                status.message());
        assertNull(phase("p1", "publish"));
    }

    @Test
    void anAlgorithmContainerThatStartedAnImageOfAnotherDigestFailsTheJob() {
        runUntilAlgorithm("p2");
        pod("p2", "algorithm", running(), PINNED, "docker.io/library/python@sha256:" + "f".repeat(64));

        JobStatus status = backend.status("p2");
        assertEquals(JobState.FAILED, status.state());
        assertTrue(status.message().startsWith("the algorithm's container started an image that is not " + PINNED));
    }

    @Test
    void anAlgorithmContainerReportingThePinnedDigestRuns() {
        runUntilAlgorithm("p3");
        pod("p3", "algorithm", running(), PINNED, "docker.io/library/" + PINNED);
        assertEquals(JobState.RUNNING, backend.status("p3").state());
    }

    @Test
    void theLogOfARunningAlgorithmIsReadByOffset() {
        runUntilAlgorithm("a7");
        pod("a7", "algorithm", running());
        podLog("a7", "algorithm", "hello world\n", 6, 100);

        LogChunk all = backend.logs("a7", 0);
        assertEquals("hello world\n", new String(all.data(), StandardCharsets.UTF_8));
        assertFalse(all.complete());
        LogChunk rest = backend.logs("a7", 6);
        assertEquals(6, rest.offset());
        assertEquals("world\n", new String(rest.data(), StandardCharsets.UTF_8));
        assertEquals(0, backend.logs("a7", 100).data().length);
    }

    @Test
    void stopEndsTheJobDeletesItsPodsAndKeepsItsVolumeAndLog() {
        runUntilAlgorithm("a8");
        pod("a8", "algorithm", running());
        podLog("a8", "algorithm", "partial\n");

        JobStatus stopped = backend.stop("a8");
        assertEquals(JobState.STOPPED, stopped.state());
        assertNull(phase("a8", "algorithm"));
        assertTrue(client.pods().inNamespace(NS).list().getItems().isEmpty());
        assertNotNull(client.persistentVolumeClaims()
                .inNamespace(NS)
                .withName("brizo-a8-data")
                .get());
        assertEquals("partial\n", new String(backend.logs("a8", 0).data(), StandardCharsets.UTF_8));
        assertEquals(JobState.STOPPED, backend.stop("a8").state(), "stopping again changes nothing");
    }

    @Test
    void deleteRemovesEveryObjectOfTheJobAndLeavesOnlyATombstone() {
        runUntilAlgorithm("a9");
        pod("a9", "algorithm", running());

        backend.delete("a9");
        backend.delete("a9");

        assertEquals(JobState.DELETED, backend.status("a9").state());
        assertTrue(backend.jobs(null, null).isEmpty());
        assertTrue(client.batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty());
        assertTrue(client.pods().inNamespace(NS).list().getItems().isEmpty());
        assertTrue(client.persistentVolumeClaims()
                .inNamespace(NS)
                .list()
                .getItems()
                .isEmpty());
        assertTrue(client.network()
                .v1()
                .networkPolicies()
                .inNamespace(NS)
                .list()
                .getItems()
                .isEmpty());
        assertEquals(1, client.configMaps().inNamespace(NS).list().getItems().size());
        assertEquals(
                ErrorKind.NOT_FOUND,
                assertThrows(BrizoException.class, () -> backend.logs("a9", 0)).kind());
    }

    @Test
    void startingTheSameJobTwiceCreatesItOnce() {
        JobStatus first = backend.start(Jobs.job("b1", Duration.ofMinutes(10)));
        JobStatus second = backend.start(Jobs.job("b1", Duration.ofMinutes(10)));

        assertEquals(first.created(), second.created());
        assertEquals(
                1, client.batch().v1().jobs().inNamespace(NS).list().getItems().size());
    }

    @Test
    void aNewBackendOverTheSameNamespacePicksUpAndFinishesARunningJob() {
        runUntilAlgorithm("b2");
        backend.close();
        backend = newBackend();

        pod("b2", "algorithm", exited(0));
        podLog("b2", "algorithm", "ok\n");
        endPhase("b2", "algorithm", "Complete", null);
        assertEquals(JobState.PUBLISHING, backend.status("b2").state());
        pod("b2", "publish", exited(0));
        podLog("b2", "publish", Reports.done(marker("b2")));
        endPhase("b2", "publish", "Complete", null);

        assertEquals(JobState.SUCCEEDED, backend.status("b2").state());
        assertEquals(List.of(), backend.outputs("b2"));
    }

    @Test
    void jobsAreListedPerOwnerAndAgreementNewestFirst() {
        backend.start(Jobs.job("c1", Duration.ofMinutes(1)));
        backend.start(Jobs.job("c2", Duration.ofMinutes(1)));

        List<JobStatus> mine = backend.jobs(Jobs.OWNER, Jobs.AGREEMENT);
        assertEquals(2, mine.size());
        assertTrue(mine.get(0).created().compareTo(mine.get(1).created()) >= 0);
        assertTrue(backend.jobs("0xother", null).isEmpty());
        assertTrue(backend.jobs(null, "0xother").isEmpty());
    }

    private static ComputeJob withLocalInput(ComputeJob job) {
        return new ComputeJob(
                job.jobId(),
                job.owner(),
                job.agreementId(),
                List.of(new io.brizo.spi.Asset(
                        Jobs.DID, List.of(new io.brizo.spi.AssetFile(URI.create("file:///data/x"), null, null)))),
                job.algorithm(),
                job.environmentId(),
                job.maxDuration());
    }

    @Test
    void anInputWhoseStorageCannotPresignIsFetchedThroughATransferLinkOfTheLibrary() {
        backend.close();
        backend = new KubernetesComputeBackend(
                Jobs.config(NS),
                client,
                new FakeStorage(
                        "https://127.0.0.1:9/presigned/",
                        "http://127.0.0.1:8030/api/v1/brizo/services/compute/transfer/"),
                false);

        JobStatus status = backend.start(withLocalInput(Jobs.job("t1", Duration.ofMinutes(1))));

        assertEquals(JobState.PROVISIONING, status.state());
        Secret secret =
                client.secrets().inNamespace(NS).withName("brizo-t1-fetch").get();
        String plan = secret.getStringData() != null
                ? secret.getStringData().get("plan")
                : new String(Base64.getDecoder().decode(secret.getData().get("plan")), StandardCharsets.UTF_8);
        assertEquals(
                "inputs/" + "ab".repeat(32) + "/0 http://127.0.0.1:8030/api/v1/brizo/services/compute/transfer/1\n",
                plan);
        assertNotNull(phase("t1", "configure"), "the configure phase fetches through the link");
    }

    @Test
    void anInputWhoseStorageCannotPresignWithoutAPublicUrlIsAConfigurationErrorAndCreatesNothing() {
        ComputeJob local = withLocalInput(Jobs.job("d1", Duration.ofMinutes(1)));

        BrizoException e = assertThrows(BrizoException.class, () -> backend.start(local));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("BRIZO_PUBLIC_URL"), e.getMessage());
        assertFalse(e.getMessage().contains("/data/x"), e.getMessage());
        assertTrue(client.configMaps().inNamespace(NS).list().getItems().isEmpty());
    }

    @Test
    void unknownJobsAndEnvironmentsAreRefused() {
        assertEquals(
                ErrorKind.NOT_FOUND,
                assertThrows(BrizoException.class, () -> backend.status("nope")).kind());
        ComputeJob job = Jobs.job("e1", Duration.ofMinutes(1));
        ComputeJob elsewhere = new ComputeJob(
                job.jobId(), job.owner(), job.agreementId(), job.inputs(), job.algorithm(), "mars", job.maxDuration());
        assertEquals(
                ErrorKind.INVALID_REQUEST,
                assertThrows(BrizoException.class, () -> backend.start(elsewhere))
                        .kind());
    }

    @Test
    void aServerErrorIsRetriedBeforeTheCallFails() {
        backend.start(Jobs.job("f1", Duration.ofMinutes(1)));
        server.expect()
                .get()
                .withPath("/api/v1/namespaces/" + NS + "/configmaps/brizo-f1")
                .andReturn(503, "busy")
                .times(2);

        assertEquals(JobState.PROVISIONING, backend.status("f1").state());
    }

    @Test
    void aTagIsUsedWhenNoDigestIsGivenAndTheEntrypointIsNeverGivenToAShell() {
        AlgorithmContainer tagged = new AlgorithmContainer("node", "20", null, "node $ALGO; rm -rf /");
        assertEquals("node:20", tagged.reference());
        assertEquals(
                List.of("node", "/data/transformations/algorithm;", "rm", "-rf", "/"),
                KubernetesComputeBackend.command(tagged.entrypoint()));
    }

    @Test
    void anOutputListedButMissingFromStorageFailsTheJobAndIsNeverOffered() {
        runUntilPublishing("g1");
        pod("g1", "publish", exited(0));
        podLog(
                "g1",
                "publish",
                Reports.published(marker("g1"), "output", "ghost.txt", new byte[5]) + Reports.done(marker("g1")));
        endPhase("g1", "publish", "Complete", null);

        JobStatus status = backend.status("g1");
        assertEquals(JobState.FAILED, status.state());
        assertEquals(0, status.exitCode());
        assertTrue(status.message().startsWith("the uploaded outputs could not be found"), status.message());
        assertFalse(status.message().contains("mem:"), status.message());
        assertEquals(List.of(), backend.outputs("g1"));
    }

    @Test
    void anOutputWhoseStoredSizeDiffersFromTheListedOneFailsTheJob() {
        runUntilPublishing("g2");
        String link = secretValue("brizo-g2-upload", "url");
        storage.upload(link, "outputs/cut.bin", new byte[3]);
        pod("g2", "publish", exited(0));
        podLog(
                "g2",
                "publish",
                Reports.published(marker("g2"), "output", "cut.bin", new byte[4]) + Reports.done(marker("g2")));
        endPhase("g2", "publish", "Complete", null);

        JobStatus status = backend.status("g2");
        assertEquals(JobState.FAILED, status.state());
        assertEquals("an uploaded file of the outputs has 3 bytes instead of 4", status.message());
    }

    @Test
    void anUploadRefusedByTheServerFailsTheJobWithTheServersReason() {
        runUntilPublishing("g3");
        pod("g3", "publish", exited(1));
        podLog(
                "g3",
                "publish",
                "brizo-upload-failed {\"error\":\"INVALID_REQUEST\",\"message\":\"this upload link allows 10 bytes"
                        + " in all and has 0 left; write smaller outputs\"} curl: (22) The requested URL returned error:"
                        + " 400\n");
        endPhase("g3", "publish", "Failed", "BackoffLimitExceeded");

        JobStatus status = backend.status("g3");
        assertEquals(JobState.FAILED, status.state());
        assertEquals(
                "uploading the outputs failed: this upload link allows 10 bytes in all and has 0 left; write smaller"
                        + " outputs",
                status.message());
    }

    @Test
    void anUnreachableUploadLinkFailsTheJobWithoutQuotingCurl() {
        runUntilPublishing("g4");
        pod("g4", "publish", exited(1));
        podLog(
                "g4",
                "publish",
                "brizo-upload-failed curl: (7) Failed to connect to brizo.internal port 8030 after 1 ms:"
                        + " http://brizo.internal:8030/api/v1/brizo/services/compute/upload/secret-token\n");
        endPhase("g4", "publish", "Failed", "BackoffLimitExceeded");

        JobStatus status = backend.status("g4");
        assertEquals(JobState.FAILED, status.state());
        assertTrue(status.message().contains("could not be reached"), status.message());
        assertFalse(status.message().contains("secret-token"), status.message());
    }

    @Test
    void withoutUploadLinksAFinishedAlgorithmFailsTheJobSayingWhy() {
        backend.close();
        storage = new FakeStorage("https://127.0.0.1:9/presigned/", null, false);
        backend = newBackend();
        runAlgorithmToItsEnd("g5");

        JobStatus status = backend.status("g5");
        assertEquals(JobState.FAILED, status.state());
        assertTrue(status.message().startsWith("the outputs cannot be uploaded"), status.message());
        assertTrue(status.message().contains("BRIZO_PUBLIC_URL"), status.message());
        assertNull(phase("g5", "publish"));
    }

    @Test
    void aManifestWithMoreFilesThanAllowedOrWithoutItsEndIsRefused() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= OutputStore.MAX_FILES; i++) {
            many.append("brizo-output 1 f").append(i).append('\n');
        }
        many.append("brizo-done\n");
        assertTrue(OutputStore.parse(many.toString(), null).error().contains("more than 1000 files"));
        assertEquals(
                "the publish phase ended without listing all outputs",
                OutputStore.parse("brizo-output 1 a\n", null).error());
        assertEquals(
                List.of(new OutputFile("a b", 1)),
                OutputStore.parse("noise\nbrizo-output 1 a b\nbrizo-done\n", null)
                        .outputs());
    }

    @Test
    void aJobWhoseConfigureReportIsCutEndsAsUsualButKeepsNoEvidence() {
        backend.start(Jobs.job("ev1", Duration.ofMinutes(10)));
        pod("ev1", "configure", exited(0));
        String marker = marker("ev1");
        // Forged lines without the marker and a report without its end: not whole.
        podLog(
                "ev1",
                "configure",
                "brizo-report-" + "00".repeat(16) + " done\n"
                        + Reports.fetched(marker, "inputs/" + Jobs.DID.substring(7) + "/0", new byte[3]));
        endPhase("ev1", "configure", "Complete", null);
        assertEquals(JobState.RUNNING, backend.status("ev1").state());
        pod("ev1", "algorithm", exited(0));
        podLog("ev1", "algorithm", "");
        endPhase("ev1", "algorithm", "Complete", null);
        assertEquals(JobState.PUBLISHING, backend.status("ev1").state());
        pod("ev1", "publish", exited(0));
        podLog("ev1", "publish", publishPod("ev1", Map.of("outputs/a.txt", "a")));
        endPhase("ev1", "publish", "Complete", null);

        assertEquals(JobState.SUCCEEDED, backend.status("ev1").state());
        assertEquals(List.of(new OutputFile("a.txt", 1)), backend.outputs("ev1"));
        assertEquals(java.util.Optional.empty(), backend.evidence("ev1"));
        assertEquals(
                "the configure phase did not report the digest of every file it fetched",
                client.configMaps()
                        .inNamespace(NS)
                        .withName(base("ev1"))
                        .get()
                        .getMetadata()
                        .getAnnotations()
                        .get(KubernetesComputeBackend.A_EVIDENCE_INCOMPLETE));
    }

    @Test
    void digestsThatDoNotFitInTheIndexAreLeftOutAndNamesThatDoNotFitAreRefused() {
        String sha = Reports.sha256("x");
        List<OutputStore.Entry> fit = new java.util.ArrayList<>();
        List<OutputStore.Entry> tooLong = new java.util.ArrayList<>();
        for (int i = 0; i < OutputStore.MAX_FILES; i++) {
            fit.add(new OutputStore.Entry(new OutputFile(String.format("%04d", i) + "n".repeat(716), 1), sha));
            tooLong.add(new OutputStore.Entry(new OutputFile(String.format("%04d", i) + "n".repeat(800), 1), sha));
        }
        io.fabric8.kubernetes.api.model.ConfigMap index =
                OutputStore.index("i", "b", null, new OutputStore.Manifest(fit, List.of(), null));
        assertNotNull(index);
        List<OutputStore.Entry> kept = OutputStore.entries(index, OutputStore.OUTPUTS);
        assertEquals(
                fit.stream().map(OutputStore.Entry::file).toList(),
                kept.stream().map(OutputStore.Entry::file).toList());
        assertTrue(kept.stream().allMatch(e -> e.sha256() == null), "the digests are left out");
        assertNull(OutputStore.index("i", "b", null, new OutputStore.Manifest(tooLong, List.of(), null)));
        io.fabric8.kubernetes.api.model.ConfigMap small =
                OutputStore.index("i", "b", null, new OutputStore.Manifest(fit.subList(0, 2), List.of(), null));
        assertEquals(fit.subList(0, 2), OutputStore.entries(small, OutputStore.OUTPUTS));
    }

    @Test
    void onlyManifestLinesWithTheJobsMarkerCount() {
        String marker = "brizo-report-" + "0f".repeat(16);
        byte[] a = "a".getBytes(StandardCharsets.UTF_8);
        String log = "brizo-output 5 forged.txt\n"
                + "brizo-report-" + "1e".repeat(16) + " output 1 " + Reports.sha256(a) + " guessed.txt\n"
                + Reports.published(marker, "output", "a b", a)
                + "brizo-done\n"
                + Reports.published(marker, "log", "l.txt", a)
                + Reports.done(marker);
        OutputStore.Manifest manifest = OutputStore.parse(log, marker);
        assertNull(manifest.error());
        assertEquals(
                List.of(new OutputStore.Entry(new OutputFile("a b", 1), Reports.sha256(a))), manifest.outputEntries());
        assertEquals(List.of(new OutputFile("l.txt", 1)), manifest.logs());
        assertEquals(
                "the publish phase listed an output it could not describe",
                OutputStore.parse(marker + " output 1 nothex a\n" + Reports.done(marker), marker)
                        .error());
        assertEquals(
                "the publish phase ended without listing all outputs",
                OutputStore.parse(Reports.published(marker, "output", "a", a) + "brizo-done\n", marker)
                        .error());
    }

    @Test
    void aFailedFetchNamesTheExitCodeButNeverTheLinks() {
        backend.start(Jobs.job("h1", Duration.ofMinutes(1)));
        pod("h1", "configure", exited(22));
        endPhase("h1", "configure", "Failed", "BackoffLimitExceeded");

        JobStatus status = backend.status("h1");
        assertEquals(JobState.FAILED, status.state());
        assertNull(status.exitCode(), "the algorithm never ran");
        assertEquals(
                "fetching the inputs and the algorithm failed: exit code 22 of the fetch (curl's code for a failed download)",
                status.message());
    }

    @Test
    void thePollerAdvancesJobsWithoutAnyoneAskingAndMarksEndedOnes() {
        backend.close();
        backend = new KubernetesComputeBackend(
                Jobs.config(NS, Duration.ofMillis(50)), client, new FakeStorage("https://127.0.0.1:9/p/"), false);
        backend.start(Jobs.job("p1", Duration.ofMinutes(1)));
        endPhase("p1", "configure", "Complete", null);
        RealKubernetes.await(
                Duration.ofSeconds(10), () -> phase("p1", "algorithm") != null, "the poller starts the algorithm");
        endPhase("p1", "algorithm", "Failed", "DeadlineExceeded");
        RealKubernetes.await(
                Duration.ofSeconds(10),
                () -> "true"
                        .equals(client.configMaps()
                                .inNamespace(NS)
                                .withName("brizo-p1")
                                .get()
                                .getMetadata()
                                .getLabels()
                                .get(JobObjects.LABEL_ENDED)),
                "the poller ends the job and labels it ended");
        assertEquals(JobState.FAILED, backend.status("p1").state());
    }

    @Test
    void onlyTheFirst256KiBOfALongLogAreKeptWithANoteSaying() {
        runUntilAlgorithm("l1");
        pod("l1", "algorithm", exited(1));
        podLog("l1", "algorithm", "x".repeat(KubernetesComputeBackend.MAX_KEPT_LOG + 10));
        endPhase("l1", "algorithm", "Failed", "BackoffLimitExceeded");

        assertEquals(JobState.FAILED, backend.status("l1").state());
        String kept = new String(
                backend.logs("l1", KubernetesComputeBackend.MAX_KEPT_LOG - 1).data(), StandardCharsets.UTF_8);
        assertEquals("x\n[log truncated by brizo: only the first 256 KiB are kept]\n", kept);
    }

    // ---- failures of the API server: every one is a BrizoException of the right kind ----

    private static final String ROOTS = "/api/v1/namespaces/" + NS + "/configmaps";
    /** The listing of every job's root, as jobs() asks for it. */
    private static final String LIST_JOBS =
            ROOTS + "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dbrizo%2Cbrizo.io%2Frole%3Djob";

    /**
     * {@return a Status as the API server sends it} Its message names an API server URL and a
     * token, as real ones can name users and hosts, so tests see that neither is passed on.
     */
    private static Status apiStatus(int code, String reason) {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(code)
                .withReason(reason)
                .withMessage("refused by https://10.0.0.1:6443 for token sekret-token")
                .build();
    }

    /**
     * Asserts that {@code e} is of {@code kind} and retryable as given, with a message fit for a
     * consumer: no URL, no Java class, no address of the API server.
     */
    private void assertApiError(BrizoException e, ErrorKind kind, boolean retryable) {
        String message = e.getMessage();
        assertEquals(kind, e.kind(), message);
        assertEquals(retryable, e.retryable(), message);
        String lower = message.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("http"), message);
        assertFalse(lower.contains("exception"), message);
        assertFalse(lower.contains("fabric8"), message);
        assertFalse(message.contains("sekret-token"), message);
        assertFalse(message.contains("10.0.0.1"), message);
        assertFalse(message.contains(client.getMasterUrl().getAuthority()), message);
        assertFalse(message.contains(String.valueOf(client.getMasterUrl().getPort())), message);
    }

    /**
     * Replaces the backend by one whose client does not retry by itself, as the factory makes it:
     * the mock client retries 5xx and 429 answers ten times with backoff before the backend's own
     * attempts even start.
     */
    private void useClientWithoutItsOwnRetries() {
        backend.close();
        KubernetesClient once = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration())
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
        backend = new KubernetesComputeBackend(Jobs.config(NS), once, storage, true);
    }

    @ParameterizedTest(name = "answered {0}")
    @ValueSource(ints = {429, 500, 503})
    void anApiServerThatKeepsFailingOrThrottlingIsUnavailableAndRetryable(int code) {
        useClientWithoutItsOwnRetries();
        server.expect()
                .get()
                .withPath(LIST_JOBS)
                .andReturn(code, apiStatus(code, "Busy"))
                .always();

        BrizoException e = assertThrows(BrizoException.class, () -> backend.jobs(null, null));

        assertApiError(e, ErrorKind.UNAVAILABLE, true);
        assertTrue(e.getMessage().contains("list configmaps"), e.getMessage());
        assertTrue(e.getMessage().contains("after 4 attempts"), e.getMessage());
    }

    @Test
    void anUnreachableApiServerIsUnavailableAndRetryable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Config unreachable = new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + port)
                .withNamespace(NS)
                .withRequestRetryBackoffLimit(0)
                .build();
        try (KubernetesClient dead =
                        new KubernetesClientBuilder().withConfig(unreachable).build();
                KubernetesComputeBackend cut = new KubernetesComputeBackend(Jobs.config(NS), dead, storage, false)) {
            BrizoException e = assertThrows(BrizoException.class, () -> cut.status("x1"));

            assertApiError(e, ErrorKind.UNAVAILABLE, true);
            assertFalse(e.getMessage().contains(String.valueOf(port)), e.getMessage());
            assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
        }
    }

    @Test
    void aForbiddenCreateIsAConfigurationErrorNamingTheVerbResourceAndReadmeButNotTheServer() {
        server.expect()
                .post()
                .withPath("/api/v1/namespaces/" + NS + "/secrets")
                .andReturn(403, apiStatus(403, "Forbidden"))
                .always();

        BrizoException e =
                assertThrows(BrizoException.class, () -> backend.start(Jobs.job("r1", Duration.ofMinutes(1))));

        assertApiError(e, ErrorKind.CONFIGURATION, false);
        assertTrue(e.getMessage().contains("may not create secrets in namespace " + NS), e.getMessage());
        assertTrue(e.getMessage().contains("RBAC") && e.getMessage().contains("README"), e.getMessage());
        assertEquals(JobState.FAILED, backend.status("r1").state(), "a job without its input links ends at once");
    }

    @Test
    void everyPublicMethodReportsAForbiddenReadAsAConfigurationErrorNeverAsAClientException() {
        server.expect()
                .get()
                .withPath(ROOTS + "/brizo-s1")
                .andReturn(403, apiStatus(403, "Forbidden"))
                .always();
        server.expect()
                .get()
                .withPath(LIST_JOBS)
                .andReturn(403, apiStatus(403, "Forbidden"))
                .always();
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("start", () -> backend.start(Jobs.job("s1", Duration.ofMinutes(1))));
        calls.put("status", () -> backend.status("s1"));
        calls.put("stop", () -> backend.stop("s1"));
        calls.put("delete", () -> backend.delete("s1"));
        calls.put("logs", () -> backend.logs("s1", 0));
        calls.put("outputs", () -> backend.outputs("s1"));
        calls.put("openOutput", () -> backend.openOutput("s1", "result.csv"));
        calls.put("jobs", () -> backend.jobs(null, null));

        calls.forEach((method, call) -> {
            BrizoException e = assertThrows(BrizoException.class, call, method);
            assertApiError(e, ErrorKind.CONFIGURATION, false);
            assertTrue(e.getMessage().contains("configmaps"), method + ": " + e.getMessage());
        });
        assertEquals(2, backend.environments().size(), "environments need no API call");
    }

    @Test
    void credentialsTheApiServerDoesNotAcceptAreAConfigurationErrorPointingAtTheKubeconfig() {
        server.expect()
                .get()
                .withPath(ROOTS + "/brizo-s2")
                .andReturn(401, apiStatus(401, "Unauthorized"))
                .always();

        BrizoException e = assertThrows(BrizoException.class, () -> backend.status("s2"));

        assertApiError(e, ErrorKind.CONFIGURATION, false);
        assertTrue(e.getMessage().contains("get configmaps"), e.getMessage());
        assertTrue(e.getMessage().contains("BRIZO_K8S_KUBECONFIG"), e.getMessage());
    }

    @Test
    void aConfigMapThatIsNoJobUnderTheJobsNameMakesStartAConflictAndIsLeftAlone() {
        client.configMaps()
                .inNamespace(NS)
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("brizo-k1")
                        .endMetadata()
                        .withData(Map.of("owner", "someone else"))
                        .build())
                .create();

        BrizoException e =
                assertThrows(BrizoException.class, () -> backend.start(Jobs.job("k1", Duration.ofMinutes(1))));

        assertApiError(e, ErrorKind.CONFLICT, false);
        assertTrue(e.getMessage().contains("brizo-k1"), e.getMessage());
        ConfigMap left =
                client.configMaps().inNamespace(NS).withName("brizo-k1").get();
        assertEquals(Map.of("owner", "someone else"), left.getData());
        assertTrue(
                left.getMetadata().getAnnotations() == null
                        || left.getMetadata().getAnnotations().isEmpty(),
                "the object is not made a job");
        assertTrue(client.secrets().inNamespace(NS).list().getItems().isEmpty());
    }

    @Test
    void anObjectTheApiServerFindsInvalidIsAnInternalErrorWithAShortMessage() {
        server.expect()
                .post()
                .withPath(ROOTS)
                .andReturn(422, apiStatus(422, "Invalid"))
                .always();

        BrizoException e =
                assertThrows(BrizoException.class, () -> backend.start(Jobs.job("v1", Duration.ofMinutes(1))));

        assertApiError(e, ErrorKind.INTERNAL, false);
        assertTrue(e.getMessage().contains("create configmaps brizo-v1"), e.getMessage());
        assertTrue(e.getMessage().length() < 160, e.getMessage());
    }

    @Test
    void aMissingNamespaceIsAConfigurationErrorNamingTheSetting() {
        server.expect()
                .post()
                .withPath(ROOTS)
                .andReturn(404, apiStatus(404, "NotFound"))
                .always();

        BrizoException e =
                assertThrows(BrizoException.class, () -> backend.start(Jobs.job("m1", Duration.ofMinutes(1))));

        assertApiError(e, ErrorKind.CONFIGURATION, false);
        assertTrue(e.getMessage().contains("BRIZO_K8S_NAMESPACE"), e.getMessage());
    }

    @Test
    void aJobWhoseRootVanishesWhileItIsStoppedIsNotFound() {
        backend.start(Jobs.job("n1", Duration.ofMinutes(1)));
        server.expect()
                .put()
                .withPath(ROOTS + "/brizo-n1")
                .andReturn(404, apiStatus(404, "NotFound"))
                .always();

        BrizoException e = assertThrows(BrizoException.class, () -> backend.stop("n1"));

        assertApiError(e, ErrorKind.NOT_FOUND, false);
    }

    @Test
    void anUnexpectedAnswerOfTheApiServerIsAnUpstreamFailureWorthRetrying() {
        server.expect()
                .get()
                .withPath(ROOTS + "/brizo-o1")
                .andReturn(400, apiStatus(400, "BadRequest"))
                .always();

        BrizoException e = assertThrows(BrizoException.class, () -> backend.status("o1"));

        assertApiError(e, ErrorKind.UPSTREAM_FAILED, true);
        assertTrue(e.getMessage().contains("status 400"), e.getMessage());
    }

    @Test
    void theHttpApiAnswersTheStatusOfAJobWith503AndRetryAfterWhileTheApiServerIsUnavailable() throws IOException {
        server.expect()
                .get()
                .withPath(ROOTS + "/brizo-w1")
                .andReturn(503, apiStatus(503, "Busy"))
                .always();
        useClientWithoutItsOwnRetries();
        TestConsumer consumer = TestConsumer.random();
        try (Brizo brizo = Brizo.builder()
                .settings(Settings.builder().build())
                .verifier(claim -> Verdict.denied("this test grants nothing"))
                .assetResolver(did -> Optional.empty())
                .computeBackend(backend)
                .build()) {
            String query = "jobId=w1&consumerAddress=" + consumer.address() + "&signature="
                    + URLEncoder.encode(consumer.sign(consumer.address() + "w1"), StandardCharsets.UTF_8);

            HttpResponse response = new BrizoHttpApi(brizo)
                    .handle(new HttpRequest(
                            "GET", BrizoHttpApi.COMPUTE, query, Map.of(), InputStream.nullInputStream()));

            ByteArrayOutputStream body = new ByteArrayOutputStream();
            response.body().writeTo(body);
            String json = body.toString(StandardCharsets.UTF_8);
            assertEquals(503, response.status(), json);
            assertNotNull(response.header("Retry-After"), json);
            assertEquals("application/json", response.header("Content-Type"));
            assertTrue(json.contains("\"error\":\"UNAVAILABLE\""), json);
            assertFalse(json.toLowerCase(Locale.ROOT).contains("http"), json);
        }
    }
}
