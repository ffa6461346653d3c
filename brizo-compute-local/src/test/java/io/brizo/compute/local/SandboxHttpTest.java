package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.brizo.http.BrizoHttpApi;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hostile algorithms against the bubblewrap sandbox, through the HTTP API: each must be contained,
 * its job ending as stated, the server unaffected and nothing of it left running on the host.
 */
class SandboxHttpTest extends ComputeHttpFixture {
    /** Set in this module's surefire environment: a stand-in for the provider key of a real server. */
    static final String SECRET = System.getenv().getOrDefault("PROVIDER_KEY", "");

    private String run(URI root, String script, String expectedState) throws Exception {
        String jobId = startJob(root, consumer, Map.of("algorithmMeta", meta(script)), 200)
                .get("jobId")
                .asText();
        awaitStatus(root, jobId, state(expectedState));
        return jobId;
    }

    @Test
    void algorithmCannotConnectToTheHostOrToBrizo() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        other.createContext("/", e -> {
            requests.incrementAndGet();
            e.sendResponseHeaders(204, -1);
            e.close();
        });
        other.start();
        toClose.add(() -> other.stop(0));
        String script = "for port in " + other.getAddress().getPort() + " " + base.getPort() + "; do\n"
                + "  if bash -c \"exec 3<>/dev/tcp/127.0.0.1/$port\" 2>/dev/null; then echo \"CONNECTED $port\";"
                + "  else echo \"refused $port\"; fi\n"
                + "done\n"
                + "ls /sys/class/net 2>/dev/null; cat /proc/net/dev\n";
        String jobId = run(base, script, "SUCCEEDED");
        String log = logs(base, jobId, 0);
        assertTrue(log.contains("refused " + other.getAddress().getPort()), log);
        assertTrue(log.contains("refused " + base.getPort()), log);
        assertFalse(log.contains("CONNECTED"), log);
        assertFalse(log.contains("eth") || log.contains("ens"), "only loopback: " + log);
        assertEquals(0, requests.get());
    }

    @Test
    void algorithmCannotReadTheServersFilesOtherJobsOrItsEnvironment() throws Exception {
        assertFalse(SECRET.isEmpty(), "the test's JVM carries a PROVIDER_KEY (see this module's pom)");
        String other = run(base, "sleep 30", "RUNNING");
        Path otherInput = computeDir
                .resolve(other)
                .resolve("inputs")
                .resolve("da".repeat(32))
                .resolve("0");
        assertTrue(Files.exists(otherInput));
        long pid = ProcessHandle.current().pid();
        String script = "for f in '" + dir.resolve("assets.json") + "' '" + dir.resolve("grants.json") + "' '"
                + dataDir.resolve("lines.csv") + "' '" + otherInput + "' /proc/" + pid + "/environ"
                + " /data/.brizo/state.json; do\n"
                + "  if cat \"$f\" > /dev/null 2>&1; then echo \"READ $f\"; cat \"$f\"; else echo \"denied $f\"; fi\n"
                + "done\n"
                + "ls '" + dataDir + "' '" + computeDir + "' /etc /root /home 2>&1\n"
                + "env\n";
        String jobId = run(base, script, "SUCCEEDED");
        String log = logs(base, jobId, 0);
        assertFalse(log.contains("READ"), log);
        assertFalse(log.contains(SECRET), log);
        assertFalse(log.contains("count.sh"), "the data directory cannot be listed: " + log);
        // Only the Ocean variables, the search path, HOME and Python's unbuffered output.
        for (String line : log.split("\n")) {
            if (line.matches("[A-Z_]+=.*")) {
                String name = line.substring(0, line.indexOf('='));
                assertTrue(
                        List.of(
                                        "DIDS",
                                        "TRANSFORMATION_DID",
                                        "VOLUME",
                                        "INPUTS",
                                        "OUTPUTS",
                                        "LOGS",
                                        "PATH",
                                        "HOME",
                                        "PYTHONUNBUFFERED",
                                        "PWD",
                                        "SHLVL")
                                .contains(name),
                        line);
            }
        }
        send(base, "PUT", BrizoHttpApi.COMPUTE, jobParams(consumer, other));
        awaitStatus(base, other, state("STOPPED"));
    }

    @Test
    void forkBombIsContainedByTheProcessLimit() throws Exception {
        // The limit counts every process of the sandbox user: let those of earlier tests end first.
        awaitNoSandboxProcesses("");
        URI strict = startAnother(Map.of("BRIZO_COMPUTE_LOCAL_PROCESSES", "24", "BRIZO_COMPUTE_MAX_DURATION", "20s"));
        String jobId = run(strict, "f() { f | f & }; f; while :; do sleep 30 & done", "FAILED");
        JsonNode done = status(strict, jobId);
        assertTrue(done.get("message").asText().contains("processes"), done.toString());
        // The machine and the server answer; nothing of the bomb is left.
        assertEquals(
                200,
                send(strict, "GET", BrizoHttpApi.COMPUTE_ENVIRONMENTS, Map.of()).statusCode());
        awaitNoSandboxProcesses("sleep 30");
    }

    @Test
    void memoryPastTheLimitEndsTheJobFailedSayingSo() throws Exception {
        URI strict = startAnother(Map.of("BRIZO_COMPUTE_LOCAL_MEMORY", "64m"));
        String jobId = run(strict, "python3 -c 'b = bytearray(512 * 1024 * 1024)'", "FAILED");
        String message = status(strict, jobId).get("message").asText();
        assertTrue(message.contains("out of memory") && message.contains("64 MiB"), message);
    }

    @Test
    void writingPastTheOutputAllowanceEndsTheJobFailedWithoutFillingTheDisk() throws Exception {
        URI strict = startAnother(Map.of("BRIZO_COMPUTE_LOCAL_OUTPUT_BYTES", "1m"));
        // One large file is stopped by the file size limit, many small ones by the accounting.
        String big = run(strict, "head -c 100000000 /dev/zero > \"$OUTPUTS/big\"", "FAILED");
        String many = run(
                strict,
                "i=0; while [ $i -lt 100000 ]; do head -c 100000 /dev/zero > \"$OUTPUTS/f$i\"; i=$((i+1)); done",
                "FAILED");
        for (String jobId : List.of(big, many)) {
            String message = status(strict, jobId).get("message").asText();
            assertTrue(message.contains("output allowance of 1 MiB"), message);
        }
        assertTrue(bytesUnder(computeDirOf(strict, big)) <= 2 << 20);
        assertTrue(bytesUnder(computeDirOf(strict, many)) < 64 << 20);
    }

    @Test
    void detachedProcessesDoNotOutliveTheirJob() throws Exception {
        String jobId = run(base, "setsid sleep 987 > /dev/null 2>&1 &\n(sleep 986 &) ; echo left", "SUCCEEDED");
        assertTrue(logs(base, jobId, 0).contains("left"));
        awaitNoSandboxProcesses("sleep 98");
    }

    @Test
    void jobThatIgnoresSigtermIsStoppedWithEverythingItStarted() throws Exception {
        String script =
                "trap '' TERM\nsetsid sh -c \"trap '' TERM; sleep 985\" &\necho ready\nwhile :; do sleep 1; done";
        String jobId = run(base, script, "RUNNING");
        assertEquals(
                200,
                send(base, "PUT", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId))
                        .statusCode());
        awaitStatus(base, jobId, state("STOPPED"));
        awaitNoSandboxProcesses("sleep 985");
    }

    /**
     * A stop that lands while the job's wrapper is still starting the sandbox once left the whole
     * sandbox running (seen in CI): the wrapper died of SIGTERM and the sandbox it had just forked
     * was not in the tree taken before. Stops here come at every moment of the start.
     */
    @Test
    void stopAsTheSandboxStartsLeavesNothingRunning() throws Exception {
        String script = "trap '' TERM\nwhile :; do sleep 983; done";
        for (int i = 0; i < 24; i++) {
            String jobId = startJob(base, consumer, Map.of("algorithmMeta", meta(script)), 200)
                    .get("jobId")
                    .asText();
            // A growing pause before the stop: from before staging to well into the run.
            LockSupport.parkNanos(Duration.ofMillis(i * 2L).toNanos());
            assertEquals(
                    200,
                    send(base, "PUT", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId))
                            .statusCode());
            awaitStatus(base, jobId, state("STOPPED"));
        }
        awaitNoSandboxProcesses("sleep 983");
    }

    @Test
    void timeLimitKillsABusyAlgorithmThatIgnoresSigterm() throws Exception {
        URI strict = startAnother(Map.of("BRIZO_COMPUTE_MAX_DURATION", "1s"));
        String jobId = run(strict, "trap '' TERM\nsetsid sleep 984 &\nwhile :; do :; done", "FAILED");
        assertTrue(status(strict, jobId).get("message").asText().contains("time limit"));
        awaitNoSandboxProcesses("sleep 984");
    }

    @Test
    void setuidBinaryInTheRuntimeCannotRaisePrivileges() throws Exception {
        Path runtime = setuidRuntime();
        URI suid = startAnother(Map.of(
                "BRIZO_COMPUTE_COMMANDS",
                "sh=/bin/sh,suid=/usr/bin/id -u",
                "BRIZO_COMPUTE_RUNTIMES",
                "sh=host,suid=" + runtime));
        String meta = JSON.writeValueAsString(
                Map.of("rawcode", "unused", "container", Map.of("image", "suid", "tag", "1", "entrypoint", "id")));
        String jobId = startJob(suid, consumer, Map.of("algorithmMeta", meta), 200)
                .get("jobId")
                .asText();
        awaitStatus(suid, jobId, state("SUCCEEDED"));
        assertEquals("65534", logs(suid, jobId, 0).trim());
    }

    @Test
    void pythonJobRunsInTheSandboxAsItDidOutside() throws Exception {
        URI python = startAnother(Map.of("BRIZO_COMPUTE_COMMANDS", "sh=/bin/sh,python=python3"));
        String code = "import json, os\n"
                + "rows = open(os.path.join(os.environ['INPUTS'], '" + "da".repeat(32) + "', '0')).read().split()\n"
                + "json.dump({'rows': len(rows), 'uid': os.getuid()}, open(os.environ['OUTPUTS'] + '/r.json', 'w'))\n"
                + "print('done')\n";
        String meta = JSON.writeValueAsString(Map.of(
                "rawcode", code, "container", Map.of("image", "python", "tag", "3", "entrypoint", "python $ALGO")));
        String jobId = startJob(python, consumer, Map.of("algorithmMeta", meta), 200)
                .get("jobId")
                .asText();
        awaitStatus(python, jobId, state("SUCCEEDED"));
        JsonNode r = JSON.readTree(result(python, consumer, jobId, 0).body());
        assertEquals(3, r.get("rows").asInt());
        assertEquals(65534, r.get("uid").asInt());
    }

    @Test
    void unknownImageIsRefusedAndEnvironmentsSayTheSandboxIsOn() throws Exception {
        URI strict = startAnother(
                Map.of("BRIZO_COMPUTE_COMMANDS", "sh=/bin/sh,python=python3", "BRIZO_COMPUTE_RUNTIMES", "sh=host"));
        String meta = JSON.writeValueAsString(Map.of(
                "rawcode",
                "print(1)",
                "container",
                Map.of("image", "python", "tag", "3", "entrypoint", "python $ALGO")));
        JsonNode e = startJob(strict, consumer, Map.of("algorithmMeta", meta), 400);
        assertTrue(e.get("message").asText().contains("no runtime for the image 'python'"), e.toString());
        HttpResponse<byte[]> envs = send(strict, "GET", BrizoHttpApi.COMPUTE_ENVIRONMENTS, Map.of());
        assertTrue(new String(envs.body(), StandardCharsets.UTF_8).contains("bubblewrap sandbox"));
    }

    @Test
    void withoutBwrapTheBackendRefusesToStartUnlessUnsandboxedIsChosen() throws Exception {
        Settings.Builder s = Settings.builder()
                .put("BRIZO_COMPUTE_DIR", dir.resolve("nobwrap").toString())
                .put("BRIZO_COMPUTE_BWRAP", "/nonexistent/bwrap");
        BrizoException e = null;
        try {
            new LocalProcessComputeBackendFactory().create(s.build(), null);
        } catch (BrizoException x) {
            e = x;
        }
        if (e == null) {
            fail("the backend started without bwrap");
        }
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("'bubblewrap'") && e.getMessage().contains("BRIZO_COMPUTE_UNSANDBOXED"));
        URI dev =
                startAnother(Map.of("BRIZO_COMPUTE_BWRAP", "/nonexistent/bwrap", "BRIZO_COMPUTE_UNSANDBOXED", "true"));
        HttpResponse<byte[]> envs = send(dev, "GET", BrizoHttpApi.COMPUTE_ENVIRONMENTS, Map.of());
        assertTrue(new String(envs.body(), StandardCharsets.UTF_8).contains("UNSANDBOXED"));
    }

    // ------------------------------------------------------------------------------ helpers

    /**
     * Waits until no process of the sandbox user (host uid 65534, as the tests run as root) whose
     * command line holds {@code marker} runs.
     */
    private static void awaitNoSandboxProcesses(String marker) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<String> left = ProcessHandle.allProcesses()
                    .filter(p -> isSandboxUser(p.pid()))
                    .filter(p -> p.info().commandLine().orElse("").contains(marker))
                    .map(p -> p.pid() + " " + p.info().user().orElse("?") + " "
                            + p.info().commandLine().orElse(""))
                    .toList();
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("left running on the host: " + left);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    private static boolean isSandboxUser(long pid) {
        try {
            return Integer.valueOf(Sandbox.SANDBOX_ID)
                    .equals(Files.getAttribute(Path.of("/proc", Long.toString(pid)), "unix:uid"));
        } catch (IOException e) {
            return false; // ended meanwhile
        }
    }

    /** {@return the job directory of {@code jobId} on the publisher at {@code root}} */
    private Path computeDirOf(URI root, String jobId) throws IOException {
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.map(d -> d.resolve(jobId))
                    .filter(Files::isDirectory)
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    /**
     * {@return a runtime root holding only a setuid-root copy of {@code id} and the libraries it
     * loads} The test runs as root, so the copy really is setuid root on the host.
     */
    private Path setuidRuntime() throws Exception {
        Path root = Files.createDirectories(dir.resolve("runtime"));
        Path id = root.resolve("usr/bin/id");
        Files.createDirectories(id.getParent());
        Files.copy(Path.of("/usr/bin/id"), id);
        // Java cannot set the setuid bit.
        assertEquals(
                0, new ProcessBuilder("chmod", "4755", id.toString()).start().waitFor());
        assertEquals(0, Files.getAttribute(id, "unix:uid"));
        assertEquals(04000, ((Integer) Files.getAttribute(id, "unix:mode")) & 04000, "setuid bit set");
        Process ldd = new ProcessBuilder("ldd", "/usr/bin/id").start();
        String libraries = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ldd.waitFor();
        for (String line : libraries.split("\n")) {
            for (String word : line.trim().split("\\s+")) {
                if (word.startsWith("/")) {
                    Path lib = Path.of(word);
                    Path copy = root.resolve(word.substring(1));
                    Files.createDirectories(copy.getParent());
                    Files.copy(lib.toRealPath(), copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        // The runtime root must be reachable for the sandbox user.
        Files.walk(root).filter(Files::isDirectory).forEach(d -> d.toFile().setExecutable(true, false));
        Files.walk(root).forEach(f -> f.toFile().setReadable(true, false));
        return root;
    }
}
