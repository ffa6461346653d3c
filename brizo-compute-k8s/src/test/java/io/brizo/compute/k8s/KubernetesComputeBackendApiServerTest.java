package io.brizo.compute.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.ComputeBackend;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.OutputFile;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageObject;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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

    String namespace;
    ComputeBackend backend;

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
    void open(TestInfo test) {
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
                .put("BRIZO_K8S_KUBECONFIG", kube.kubeconfig().toString())
                .put("BRIZO_K8S_POLL_INTERVAL", "100ms")
                .put("BRIZO_K8S_ENVIRONMENTS", "default:1:1Gi:0:1h,gpu:2.5:4Gi:1:2h")
                .put("BRIZO_K8S_STORAGE_CLASS", "standard")
                .build();
        return new KubernetesComputeBackendFactory()
                .create(settings, new FakeStorage("https://127.0.0.1:9/presigned/"))
                .orElseThrow();
    }

    private KubernetesClient client() {
        return kube.client();
    }

    private JobStatus awaitState(String id, JobState state) {
        JobStatus[] last = new JobStatus[1];
        RealKubernetes.await(
                Duration.ofSeconds(30),
                () -> (last[0] = backend.status(id)).state() == state,
                id + " is " + state + " (last: " + last[0] + ")");
        return last[0];
    }

    private void configure(String id) {
        Pod pod = kube.awaitPod(namespace, "brizo-" + id, "configure");
        kube.bind(pod);
        kube.finish(pod, 0, "fetched\n");
        awaitState(id, JobState.RUNNING);
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
        kube.finish(
                publish,
                0,
                "brizo-output 5 out.txt\n"
                        + Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8))
                        + "\nbrizo-end\nbrizo-done\n");
        JobStatus done = awaitState("ok2", JobState.SUCCEEDED);

        assertEquals(0, done.exitCode());
        assertEquals(List.of(new OutputFile("out.txt", 5)), backend.outputs("ok2"));
        try (StorageObject o = backend.openOutput("ok2", "out.txt")) {
            assertEquals("hello", new String(o.stream().readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals("working\ndone\n", new String(backend.logs("ok2", 0).data(), StandardCharsets.UTF_8));
        assertTrue(backend.logs("ok2", 0).complete());
    }

    @Test
    void aFailingAlgorithmEndsFailedWithItsExitCode() {
        backend.start(Jobs.job("bad1", Duration.ofMinutes(5)));
        configure("bad1");
        Pod algorithm = kube.awaitPod(namespace, "brizo-bad1", "algorithm");
        kube.bind(algorithm);
        kube.finish(algorithm, 7, "oops\n");

        JobStatus failed = awaitState("bad1", JobState.FAILED);
        assertEquals(7, failed.exitCode());
        assertEquals("the algorithm exited with code 7", failed.message());
        assertEquals("oops\n", new String(backend.logs("bad1", 0).data(), StandardCharsets.UTF_8));
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
        kube.finish(publish, 0, "brizo-done\n");

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
                () -> client().pods().inNamespace(namespace).list().getItems().isEmpty()
                        && client().batch()
                                .v1()
                                .jobs()
                                .inNamespace(namespace)
                                .list()
                                .getItems()
                                .isEmpty()
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
}
