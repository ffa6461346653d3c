package io.brizo.compute.local;

import io.brizo.internal.storage.FileStorageDriverFactory;
import io.brizo.internal.storage.StorageRouter;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import io.brizo.testkit.ComputeBackendContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@link ComputeBackendContract} against the local backend: each behaviour becomes a
 * real {@code /bin/sh} script, released by a file it waits for in its job directory.
 */
class LocalProcessComputeBackendContractTest extends ComputeBackendContract {
    @TempDir
    Path tmp;

    private Path computeDir;

    @Override
    protected ComputeBackend createBackend() throws IOException {
        // The sandbox user must be able to traverse to the compute directory.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        computeDir = Files.createDirectories(tmp.resolve("compute"));
        return open();
    }

    @Override
    protected ComputeBackend reopen(ComputeBackend backend) throws IOException {
        backend.close();
        return open();
    }

    private ComputeBackend open() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        StorageAccess storage = new StorageRouter(List.of(new FileStorageDriverFactory()
                .create(Settings.builder()
                        .put(FileStorageDriverFactory.ROOTS, data.toString())
                        .build())
                .orElseThrow()));
        return new LocalProcessComputeBackendFactory()
                .create(
                        Settings.builder()
                                .putAll(Map.of(
                                        "BRIZO_COMPUTE_DIR",
                                        computeDir.toString(),
                                        "BRIZO_COMPUTE_COMMANDS",
                                        "sh=/bin/sh"))
                                .build(),
                        storage)
                .orElseThrow();
    }

    /**
     * The behaviour's inputs become files under the {@code file} driver's root, and a published
     * algorithm a script file there.
     */
    @Override
    protected ComputeJob job(String jobId, String owner, String agreementId, Behaviour behaviour, Duration maxDuration)
            throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data").resolve(jobId));
        List<Asset> inputs = new ArrayList<>();
        for (Input input : behaviour.inputs()) {
            List<AssetFile> files = new ArrayList<>();
            for (int i = 0; i < input.files().size(); i++) {
                Path file = data.resolve(input.did().substring("did:op:".length()) + "-" + i);
                files.add(new AssetFile(Files.write(file, input.files().get(i)).toUri(), null, null));
            }
            inputs.add(new Asset(input.did(), files));
        }
        ComputeAlgorithm.Code code = behaviour.algorithmDid() == null
                ? new ComputeAlgorithm.Code(script(behaviour), null)
                : new ComputeAlgorithm.Code(
                        null,
                        new AssetFile(
                                Files.writeString(data.resolve("algorithm.sh"), script(behaviour))
                                        .toUri(),
                                null,
                                null));
        ComputeAlgorithm sh = new ComputeAlgorithm(
                behaviour.algorithmDid(), code, new AlgorithmContainer("sh", null, null, "sh $ALGO"));
        List<String> agreements =
                behaviour.inputs().stream().map(Input::agreementId).toList();
        return new ComputeJob(jobId, owner, agreementId, inputs, sh, "local", maxDuration, agreements);
    }

    /** {@return the behaviour as a shell script: outputs, log, the wait for release, the rest} */
    private static String script(Behaviour behaviour) {
        StringBuilder sh = new StringBuilder("set -e\n");
        behaviour.outputs().forEach((name, content) -> {
            sh.append("mkdir -p \"$(dirname \"$OUTPUTS/").append(name).append("\")\"\n");
            sh.append("printf '");
            for (byte b : content) {
                sh.append(String.format("\\%03o", b & 0xff)); // octal escapes: any byte, even NUL
            }
            sh.append("' > \"$OUTPUTS/").append(name).append("\"\n");
        });
        sh.append("printf '%s' '").append(behaviour.log()).append("'\n");
        if (behaviour.waitsForRelease()) {
            sh.append("while [ ! -e \"$VOLUME/release\" ]; do sleep 0.02; done\n");
            sh.append("printf '%s' '").append(behaviour.laterLog()).append("'\n");
        }
        return sh.append("exit ").append(behaviour.exitCode()).append('\n').toString();
    }

    @Override
    protected void release(String jobId) throws IOException {
        Files.createFile(computeDir.toRealPath().resolve(jobId).resolve("release"));
    }

    /** The outputs directory stays as the algorithm left it when the job is stopped. */
    @Override
    protected boolean stoppedJobsKeepOutputs() {
        return true;
    }
}
