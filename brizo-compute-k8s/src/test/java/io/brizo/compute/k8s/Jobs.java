package io.brizo.compute.k8s;

import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Test jobs and configurations. */
final class Jobs {
    static final String DID = "did:op:" + "ab".repeat(32);
    static final String OWNER = "0x00000000000000000000000000000000000000aa";
    static final String AGREEMENT = "0x" + "cd".repeat(32);

    private Jobs() {}

    static K8sConfig config(String namespace) {
        // Long: tests advance jobs through status(), not the poller.
        return config(namespace, Duration.ofHours(1));
    }

    static K8sConfig config(String namespace, Duration pollInterval) {
        return new K8sConfig(
                namespace,
                "helper:1",
                "fast",
                "1Gi",
                Map.of("pool", "compute"),
                List.of("registry-secret"),
                List.of(
                        new ComputeEnvironment("default", "d", 1, 1L << 30, 0, Duration.ofHours(1)),
                        new ComputeEnvironment("gpu", "g", 2.5, 4L << 30, 1, Duration.ofHours(2))),
                Duration.ofMinutes(5),
                Duration.ofHours(1),
                pollInterval,
                1000,
                "gvisor",
                FakeStorage.OUTPUTS,
                1L << 30);
    }

    static ComputeJob job(String id, Duration maxDuration) {
        return new ComputeJob(
                id,
                OWNER,
                AGREEMENT,
                List.of(new Asset(DID, List.of(new AssetFile(URI.create("s3://bucket/data.csv"), "text/csv", null)))),
                new ComputeAlgorithm(
                        null,
                        new ComputeAlgorithm.Code("print('hi')", null),
                        new AlgorithmContainer("python", "3.12", "sha256:" + "0".repeat(64), "python $ALGO --fast")),
                "gpu",
                maxDuration);
    }
}
