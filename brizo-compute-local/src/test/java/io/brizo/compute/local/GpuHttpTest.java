package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.http.BrizoHttpApi;
import io.brizo.testkit.Polling;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GPUs of the local backend: detection through nvidia-smi, per-job device binding into the
 * sandbox, and allocation. No machine with an NVIDIA GPU is at hand for these tests, so they use
 * the one allowed stand-in: a fake {@code nvidia-smi} script (named by {@code
 * BRIZO_COMPUTE_NVIDIA_SMI}, since a running JVM's PATH cannot change) that prints what a real one
 * printed on an H200 machine, and fake device nodes (plain files in a directory named by {@code
 * BRIZO_COMPUTE_GPU_DEVICES}, each holding its own name), bound with {@code --dev-bind} exactly as
 * real nodes are.
 */
class GpuHttpTest extends ComputeHttpFixture {
    static final String GPU_LINE = "NVIDIA H200, 143771 MiB, 580.159.04";
    /** Lists the sandbox's /dev, its CUDA variables and what its GPU nodes hold, then holds the GPU a while. */
    static final String SHOW_GPUS = "ls /dev; echo \"visible=$CUDA_VISIBLE_DEVICES order=$CUDA_DEVICE_ORDER\";"
            + " for f in /dev/nvidia*; do echo \"$f holds $(cat $f)\"; done; sleep 2";

    Path nvidiaSmi;
    Path devices;

    @BeforeEach
    void fakeGpus() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("fake-bin"));
        nvidiaSmi = bin.resolve("nvidia-smi");
        Files.writeString(
                nvidiaSmi,
                "#!/bin/sh\n"
                        + "# A stand-in for nvidia-smi: answers only the query the backend makes.\n"
                        + "if [ \"$1\" != --query-gpu=index,name,memory.total,driver_version ]"
                        + " || [ \"$2\" != --format=csv,noheader ]; then echo \"unexpected: $*\" >&2; exit 2; fi\n"
                        + "echo '0, " + GPU_LINE + "'\n"
                        + "echo '1, " + GPU_LINE + "'\n");
        Files.setPosixFilePermissions(nvidiaSmi, PosixFilePermissions.fromString("rwxr-xr-x"));
        devices = Files.createDirectories(dir.resolve("fake-dev"));
        Files.setPosixFilePermissions(devices, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String node : List.of("nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools")) {
            Path p = Files.writeString(devices.resolve(node), node);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    URI publisherWithGpus(int perJob) throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("BRIZO_COMPUTE_NVIDIA_SMI", nvidiaSmi.toString());
        s.put("BRIZO_COMPUTE_GPU_DEVICES", devices.toString());
        s.put("BRIZO_COMPUTE_LOCAL_GPUS", Integer.toString(perJob));
        s.put("BRIZO_COMPUTE_LOCAL_MAX_JOBS", "4");
        s.put("BRIZO_COMPUTE_MAX_JOBS_PER_CONSUMER", "4");
        return startAnother(s);
    }

    String startShowGpus(URI root) throws Exception {
        return startJob(root, consumer, Map.of("algorithmMeta", meta(SHOW_GPUS)), 200)
                .get("jobId")
                .asText();
    }

    @Test
    void environmentsListTheMachinesGpusAndHowManyEachJobGets() throws Exception {
        URI root = publisherWithGpus(1);
        HttpResponse<byte[]> r = send(root, "GET", BrizoHttpApi.COMPUTE_ENVIRONMENTS, Map.of());
        assertEquals(200, r.statusCode());
        JsonNode local = JSON.readTree(r.body()).get(0);
        assertEquals(1, local.get("gpus").asInt());
        String description = local.toString();
        assertTrue(description.contains("0: " + GPU_LINE.replace(", 580", ", driver 580")), description);
        assertTrue(description.contains("1: " + GPU_LINE.replace(", 580", ", driver 580")), description);
        assertTrue(description.contains("each job gets 1 GPU"), description);
    }

    @Test
    void aJobSeesOnlyItsOwnGpuAndNoTwoJobsHoldOneAtOnce() throws Exception {
        URI root = publisherWithGpus(1);
        List<String> ids = List.of(startShowGpus(root), startShowGpus(root), startShowGpus(root));
        // Two GPUs, one each: two jobs run, the third waits QUEUED until one ends.
        List<String> states = Polling.until(
                Duration.ofSeconds(20),
                () -> {
                    List<String> s = new ArrayList<>();
                    for (String id : ids) {
                        s.add(status(root, id).get("state").asText());
                    }
                    return s;
                },
                s -> s.stream().filter("RUNNING"::equals).count() == 2,
                s -> "two jobs should run at once: " + s);
        assertEquals(1, states.stream().filter("QUEUED"::equals).count(), states.toString());
        String waiting = ids.get(states.indexOf("QUEUED"));

        Map<String, Integer> gpuOf = new HashMap<>();
        for (String id : ids) {
            awaitStatus(root, id, state("SUCCEEDED"));
            String log = logs(root, id, 0);
            Matcher visible = Pattern.compile("visible=(\\d) order=PCI_BUS_ID").matcher(log);
            assertTrue(visible.find(), log);
            int gpu = Integer.parseInt(visible.group(1));
            gpuOf.put(id, gpu);
            assertTrue(log.contains("/dev/nvidia" + gpu + " holds nvidia" + gpu), log);
            assertFalse(log.contains("/dev/nvidia" + (1 - gpu) + " "), "only its own GPU: " + log);
            for (String shared : List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools")) {
                assertTrue(log.contains("/dev/" + shared + " holds " + shared), log);
            }
        }
        List<Integer> together = new ArrayList<>();
        ids.stream().filter(id -> !id.equals(waiting)).forEach(id -> together.add(gpuOf.get(id)));
        assertNotEquals(together.get(0), together.get(1), "jobs running at once got different GPUs");
    }

    @Test
    void aJobWithoutGpusSeesNoGpuDevice() throws Exception {
        URI root = publisherWithGpus(0);
        String id = startShowGpus(root);
        awaitStatus(root, id, state("SUCCEEDED"));
        String log = logs(root, id, 0);
        assertTrue(log.contains("visible= order="), log);
        assertFalse(log.contains("holds nvidia"), log);
        assertFalse(log.lines().anyMatch(l -> l.startsWith("nvidia")), "no GPU node in its /dev: " + log);
    }

    @Test
    void moreGpusPerJobThanTheMachineHasFailsAtStart() {
        Exception e = assertThrows(Exception.class, () -> publisherWithGpus(3));
        assertTrue(e.getMessage().contains("BRIZO_COMPUTE_LOCAL_GPUS=3"), e.getMessage());
    }

    @Test
    void gpusAskedForWithoutNvidiaSmiFailAtStartNamingTheSetting() throws Exception {
        Files.delete(nvidiaSmi);
        Exception e = assertThrows(Exception.class, () -> publisherWithGpus(1));
        assertTrue(e.getMessage().contains("BRIZO_COMPUTE_NVIDIA_SMI"), e.getMessage());
    }

    @Test
    void nvidiaSmiOutputIsParsedAndMalformedLinesAreRefused() {
        assertEquals(
                List.of(new Gpus.Gpu(0, "NVIDIA H200", 143771, "580.159.04")), Gpus.parse("0, " + GPU_LINE + "\n"));
        assertThrows(Exception.class, () -> Gpus.parse("0, NVIDIA H200, lots, 580\n"));
        assertThrows(Exception.class, () -> Gpus.parse("No devices were found, but\n"));
    }
}
