package io.brizo.compute.local;

import io.brizo.spi.BrizoException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the command line that runs one job's algorithm in a bubblewrap sandbox, the way Flatpak
 * uses bubblewrap: an explicit list of mounts, everything else of the host absent.
 *
 * <pre>
 * prlimit --data=M --cpu=S --nproc=P --nofile=F --fsize=O --core=0 --
 *   setpriv --reuid=U --regid=U --clear-groups --inh-caps=-all --bounding-set=-all --   (server is root)
 *   bwrap --unshare-all --die-with-parent --new-session --uid 65534 --gid 65534 --hostname sandbox
 *     --clearenv --setenv DIDS ... (the Ocean variables, PATH, HOME=/tmp)
 *     [runtime: --ro-bind /usr /usr --symlink usr/bin /bin ...  or each entry of a runtime root]
 *     --proc /proc --dev /dev --size 64MiB --tmpfs /tmp
 *     --ro-bind JOB /data --tmpfs /data/.brizo --bind JOB/outputs /data/outputs --bind JOB/logs /data/logs
 *     --remount-ro / --chdir /data -- COMMAND...
 * </pre>
 *
 * <p>The rlimits are set before the user changes, and the user changes before bubblewrap runs, so
 * that limits counted per user (processes) count the sandbox user's processes, never root's, which
 * the kernel exempts. Immutable.
 *
 * @param bwrap the bubblewrap executable
 * @param uid the host user and group the sandbox runs as when the server runs as root; null when
 *     the server is not root (bubblewrap then keeps the server's own user, mapped to 65534)
 * @param runtimes image name to runtime root ({@link #HOST} for the host's {@code /usr})
 * @param limits the rlimits and the output allowance
 */
record Sandbox(Path bwrap, Integer uid, Map<String, String> runtimes, Limits limits) {
    /** The runtime that exposes the host's {@code /usr} (and its {@code /bin}, {@code /lib} links). */
    static final String HOST = "host";
    /** The user and group the algorithm sees itself as. */
    static final int SANDBOX_ID = 65534;
    /** Where the job directory appears inside the sandbox. */
    static final String VOLUME = "/data";
    /** The search path inside the sandbox. */
    static final String PATH = "/usr/local/bin:/usr/bin:/bin";
    /** The size of the private {@code /tmp}, in memory. */
    static final long TMP_BYTES = 64L << 20;

    private static final List<String> HOST_LINKS = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");
    // Never taken from a runtime root: the sandbox mounts its own.
    private static final Set<String> MANAGED = Set.of("proc", "dev", "sys", "tmp", "data", "run");

    /**
     * The limits of each job, from the environment's declared resources.
     *
     * @param memoryBytes RLIMIT_DATA: private writable memory
     * @param cpuTime RLIMIT_CPU
     * @param processes RLIMIT_NPROC: processes and threads of the sandbox user; 0 = left as it is
     * @param openFiles RLIMIT_NOFILE
     * @param outputBytes the largest file (RLIMIT_FSIZE) and the total of outputs and log
     */
    record Limits(long memoryBytes, Duration cpuTime, int processes, int openFiles, long outputBytes) {}

    Sandbox {
        Objects.requireNonNull(bwrap, "bwrap");
        runtimes = Map.copyOf(runtimes);
        Objects.requireNonNull(limits, "limits");
    }

    /** {@return the runtime root of {@code image}; refuses an image without one} */
    String runtime(String image) {
        String root = runtimes.get(image);
        if (root == null) {
            throw BrizoException.invalid("the local compute backend has no runtime for the image '" + image
                    + "'; known images: " + String.join(", ", new TreeMap<>(runtimes).keySet()));
        }
        return root;
    }

    /**
     * A host device node bound into the sandbox ({@code --dev-bind}), such as a GPU's.
     *
     * @param source the node on the host
     * @param target where the algorithm sees it, under {@code /dev}
     */
    record Device(Path source, String target) {
        Device {
            Objects.requireNonNull(source, "source");
            if (!target.startsWith("/dev/")) {
                throw new IllegalArgumentException("a device appears under /dev");
            }
        }
    }

    /**
     * {@return the host command line that runs {@code command} for the job in {@code jobDir}, with
     * no device beyond the minimal {@code /dev}}
     *
     * @param env the variables the algorithm gets, nothing else
     */
    List<String> commandLine(Path jobDir, String image, Map<String, String> env, List<String> command) {
        return commandLine(jobDir, image, env, List.of(), command);
    }

    /**
     * {@return the host command line that runs {@code command} for the job in {@code jobDir}}
     *
     * @param env the variables the algorithm gets, nothing else
     * @param devices host device nodes the algorithm may use besides the minimal {@code /dev}
     */
    List<String> commandLine(
            Path jobDir, String image, Map<String, String> env, List<Device> devices, List<String> command) {
        List<String> line = new ArrayList<>(List.of(
                "prlimit",
                "--data=" + limits.memoryBytes(),
                "--cpu=" + Math.max(1, limits.cpuTime().toSeconds()),
                "--nofile=" + limits.openFiles(),
                "--fsize=" + limits.outputBytes(),
                "--core=0"));
        if (limits.processes() > 0) {
            line.add("--nproc=" + limits.processes());
        }
        line.add("--");
        if (uid != null) {
            line.addAll(List.of(
                    "setpriv",
                    "--reuid=" + uid,
                    "--regid=" + uid,
                    "--clear-groups",
                    "--inh-caps=-all",
                    "--bounding-set=-all",
                    "--"));
        }
        line.addAll(List.of(
                bwrap.toString(),
                "--unshare-all",
                "--die-with-parent",
                "--new-session",
                "--uid",
                Integer.toString(SANDBOX_ID),
                "--gid",
                Integer.toString(SANDBOX_ID),
                "--hostname",
                "sandbox",
                "--clearenv"));
        new TreeMap<>(env).forEach((k, v) -> line.addAll(List.of("--setenv", k, v)));
        runtimeMounts(runtime(image), line);
        String job = jobDir.toString();
        line.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        for (Device d : devices) {
            line.addAll(List.of("--dev-bind", d.source().toString(), d.target()));
        }
        line.addAll(List.of(
                "--size",
                Long.toString(TMP_BYTES),
                "--tmpfs",
                "/tmp",
                "--ro-bind",
                job,
                VOLUME,
                // The backend's own files (state, exit code) are none of the algorithm's business.
                "--tmpfs",
                VOLUME + "/" + JobLayout.BRIZO,
                "--bind",
                job + "/outputs",
                VOLUME + "/outputs",
                "--bind",
                job + "/logs",
                VOLUME + "/logs",
                "--remount-ro",
                "/",
                "--chdir",
                VOLUME,
                "--"));
        line.addAll(command);
        return List.copyOf(line);
    }

    /** Adds the mounts of the runtime root: read-only, each top-level entry on its own. */
    private static void runtimeMounts(String root, List<String> line) {
        if (HOST.equals(root)) {
            line.addAll(List.of("--ro-bind", "/usr", "/usr"));
            for (String name : HOST_LINKS) {
                Path p = Path.of("/", name);
                addEntry(p, "/" + name, line);
            }
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(root))) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!MANAGED.contains(name)) {
                    addEntry(p, "/" + name, line);
                }
            }
        } catch (IOException e) {
            throw BrizoException.configuration("a runtime root of the local compute backend cannot be read");
        }
    }

    private static void addEntry(Path p, String dest, List<String> line) {
        try {
            if (Files.isSymbolicLink(p)) {
                // Kept as a link: it resolves inside the sandbox, within the runtime.
                line.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dest));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                line.addAll(List.of("--ro-bind", p.toString(), dest));
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                line.addAll(List.of("--ro-bind", p.toString(), dest));
            }
        } catch (IOException e) {
            // Vanished or unreadable: left out.
        }
    }

    /**
     * {@return the directories where a command of {@code image} without a slash is looked up on
     * the host, for checking a pinned digest against the runtime}
     */
    String hostSearchPath(String image) {
        String root = runtime(image);
        if (HOST.equals(root)) {
            return PATH;
        }
        StringBuilder path = new StringBuilder();
        for (String dir : PATH.split(":")) {
            path.append(path.length() == 0 ? "" : ":").append(root).append(dir);
        }
        return path.toString();
    }
}
