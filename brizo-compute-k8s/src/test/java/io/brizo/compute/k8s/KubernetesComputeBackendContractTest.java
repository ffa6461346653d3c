package io.brizo.compute.k8s;

import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.Settings;
import io.brizo.testkit.ComputeBackendContract;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@link ComputeBackendContract} against the Kubernetes backend on a real
 * kube-apiserver and Job controller ({@link RealKubernetes}), one namespace per test. The test
 * plays the pods: {@link #play} binds the configure pod and ends it, binds the algorithm pod and
 * runs it with the behaviour's log; ending the algorithm ({@link #release}, or at once for a job
 * that does not wait) writes its whole log and exit code, and, on success, plays the publish pod:
 * it uploads each output through the upload link of the job's Secret into the output storage and
 * ends with the manifest the real publish script prints. The played configure pod reports what the
 * real script would: the size and sha256 of each input file ({@link #PLAYED_INPUT}) and of the
 * algorithm, under the job's marker.
 *
 * <p>Outputs are published only when the algorithm succeeds, so a stopped job has none: {@link
 * #stoppedJobsKeepOutputs()} stays false.
 */
class KubernetesComputeBackendContractTest extends ComputeBackendContract {
    @TempDir
    static Path dir;

    static RealKubernetes kube;

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private String namespace;
    private FakeStorage storage;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, ComputeJob> jobs = new ConcurrentHashMap<>();

    /** The bytes every played configure pod fetches as each input file. */
    static final byte[] PLAYED_INPUT = "played input\n".getBytes(StandardCharsets.UTF_8);

    /** The code of every played algorithm, inline or published: only a label. */
    private static final String PLAYED_ALGORITHM = "print('played by the test')";

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

    @Override
    protected ComputeBackend createBackend() throws Exception {
        namespace = "contract-" + NAMESPACES.incrementAndGet();
        kube.namespace(namespace);
        // One storage for the whole test: a restarted backend finds the outputs stored before.
        storage = new FakeStorage("https://127.0.0.1:9/presigned/");
        return open();
    }

    @Override
    protected ComputeBackend reopen(ComputeBackend backend) {
        backend.close();
        return open();
    }

    private ComputeBackend open() {
        Settings settings = Settings.builder()
                .put("BRIZO_K8S_NAMESPACE", namespace)
                .put("BRIZO_K8S_KUBECONFIG", kube.publisherKubeconfig().toString())
                .put("BRIZO_K8S_POLL_INTERVAL", "100ms")
                .put("BRIZO_K8S_ENVIRONMENTS", "default:1:1Gi:0:1h,gpu:2.5:4Gi:1:2h")
                .put("BRIZO_K8S_RUNTIME_CLASS", "gvisor")
                .put("BRIZO_K8S_OUTPUT_LOCATION", FakeStorage.OUTPUTS.toString())
                .put("BRIZO_PUBLIC_URL", "http://127.0.0.1:9")
                .build();
        return new KubernetesComputeBackendFactory().create(settings, storage).orElseThrow();
    }

    /**
     * The real Job controller ends a job past its deadline on its own schedule, and on a loaded
     * 2-core machine it was once seen taking longer than the default 30 s.
     */
    @Override
    protected Duration deadline() {
        return Duration.ofSeconds(60);
    }

    @Override
    protected ComputeJob job(
            String jobId, String owner, String agreementId, Behaviour behaviour, Duration maxDuration) {
        // The pods are played, so the algorithm and the inputs' locations are only labels; the
        // behaviour is kept for play, which reports the bytes a real configure pod would fetch.
        behaviours.put(jobId, behaviour);
        List<Asset> inputs = new ArrayList<>();
        List<String> agreements = new ArrayList<>();
        for (Input input : behaviour.inputs()) {
            List<AssetFile> files = new ArrayList<>();
            for (int i = 0; i < input.files().size(); i++) {
                files.add(new AssetFile(URI.create("s3://bucket/" + input.did().substring(7) + "-" + i), null, null));
            }
            inputs.add(new Asset(input.did(), files));
            agreements.add(input.agreementId());
        }
        if (inputs.isEmpty()) {
            inputs.add(
                    new Asset(Jobs.DID, List.of(new AssetFile(URI.create("s3://bucket/data.csv"), "text/csv", null))));
            agreements.add(agreementId);
        }
        ComputeAlgorithm.Code code = behaviour.algorithmDid() == null
                ? new ComputeAlgorithm.Code(PLAYED_ALGORITHM, null)
                : new ComputeAlgorithm.Code(null, new AssetFile(URI.create("s3://bucket/algorithm.py"), null, null));
        ComputeJob job = new ComputeJob(
                jobId,
                owner,
                agreementId,
                inputs,
                new ComputeAlgorithm(
                        behaviour.algorithmDid(),
                        code,
                        new AlgorithmContainer("python", "3.12", "sha256:" + "0".repeat(64), "python $ALGO")),
                "default",
                maxDuration,
                agreements);
        jobs.put(jobId, job);
        return job;
    }

    @Override
    protected void play(String jobId, Behaviour behaviour) {
        String base = JobObjects.baseName(jobId);
        Pod configure = kube.awaitPod(namespace, base, JobObjects.CONFIGURE);
        kube.bind(configure);
        kube.finish(configure, 0, configureReport(jobId, base));
        Pod algorithm = kube.awaitPod(namespace, base, JobObjects.ALGORITHM);
        kube.bind(algorithm);
        if (behaviour.waitsForRelease()) {
            kube.run(algorithm, behaviour.log());
        } else {
            end(base, algorithm, behaviour);
        }
    }

    @Override
    protected void release(String jobId) {
        String base = JobObjects.baseName(jobId);
        end(base, kube.awaitPod(namespace, base, JobObjects.ALGORITHM), behaviours.get(jobId));
    }

    /** Plays the algorithm's exit and, if it succeeded, the publish pod. */
    private void end(String base, Pod algorithm, Behaviour behaviour) {
        kube.finish(algorithm, behaviour.exitCode(), behaviour.wholeLog());
        if (behaviour.exitCode() != 0) {
            return;
        }
        Pod publish = kube.awaitPod(namespace, base, JobObjects.PUBLISH);
        kube.bind(publish);
        String link = secretValue(JobObjects.uploadSecretName(base), "url");
        String marker = Reports.marker(kube.client(), namespace, base);
        StringBuilder manifest = new StringBuilder();
        behaviour.outputs().forEach((name, content) -> {
            storage.upload(link, "outputs/" + name, content);
            manifest.append(Reports.published(marker, "output", name, content));
        });
        kube.finish(publish, 0, manifest + Reports.done(marker));
    }

    /**
     * {@return the report of the configure pod of {@code jobId}: what it would have fetched} The
     * inputs' bytes are the behaviour's, or {@link #PLAYED_INPUT} for the default input.
     */
    private String configureReport(String jobId, String base) {
        String marker = Reports.marker(kube.client(), namespace, base);
        ComputeJob job = jobs.get(jobId);
        List<Input> given = behaviours.get(jobId).inputs();
        StringBuilder report = new StringBuilder();
        for (int a = 0; a < job.inputs().size(); a++) {
            Asset input = job.inputs().get(a);
            for (int i = 0; i < input.files().size(); i++) {
                byte[] content =
                        given.isEmpty() ? PLAYED_INPUT : given.get(a).files().get(i);
                report.append(Reports.fetched(marker, "inputs/" + input.did().substring(7) + "/" + i, content));
            }
        }
        String code = job.algorithm().code().rawCode();
        report.append(Reports.fetched(
                marker,
                "transformations/algorithm",
                (code != null ? code : PLAYED_ALGORITHM).getBytes(StandardCharsets.UTF_8)));
        return report + Reports.done(marker);
    }

    /** {@return one value of a Secret in the test's namespace, as the pod mounting it reads it} */
    private String secretValue(String name, String key) {
        String base64 = kube.client()
                .secrets()
                .inNamespace(namespace)
                .withName(name)
                .get()
                .getData()
                .get(key);
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
