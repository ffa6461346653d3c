package io.brizo.compute.local;

import io.brizo.spi.BrizoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The file system side of the sandbox: the permissions that let the sandbox user reach what it
 * must (and nothing else), the check at start that the sandbox works, and where {@code bwrap} is.
 */
final class SandboxCheck {
    /** The Debian and Ubuntu package that holds {@code bwrap}. */
    static final String PACKAGE = "bubblewrap";

    private static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> READABLE_DIR = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> READABLE_FILE = PosixFilePermissions.fromString("rw-r--r--");

    private SandboxCheck() {}

    /** {@return an executable as configured ({@code bwrap}, {@code nvidia-smi}): a path, or a name looked up on the server's PATH} */
    static Optional<Path> findExecutable(String configured) {
        if (configured.contains("/")) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("") + ":/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, configured);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** {@return whether this server runs as root, so that it can drop jobs to another user} */
    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Lets the sandbox user traverse the compute directory (to reach its own job's folders, the
     * only ones bubblewrap mounts) without listing it.
     */
    static void prepareRoot(Path root, Sandbox sandbox) {
        try {
            Files.setPosixFilePermissions(root, TRAVERSE_ONLY);
        } catch (IOException | UnsupportedOperationException e) {
            throw BrizoException.configuration("cannot set the permissions of the compute directory " + root);
        }
        if (sandbox.uid() == null) {
            return;
        }
        for (Path p = root.getParent(); p != null; p = p.getParent()) {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                int owner = (Integer) Files.getAttribute(p, "unix:uid");
                if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE) && owner != sandbox.uid()) {
                    throw BrizoException.configuration("the sandbox user " + sandbox.uid()
                            + " cannot reach the compute directory: " + p + " is not searchable by others;"
                            + " run chmod o+x on it, or choose a compute directory under a searchable path");
                }
            } catch (IOException e) {
                throw BrizoException.configuration("cannot check the permissions of " + p);
            }
        }
    }

    /**
     * Makes a staged job's folders what the sandbox user needs: inputs and algorithm readable,
     * outputs and logs its own, the backend's folder closed.
     */
    static void prepareJob(JobLayout layout, Sandbox sandbox) throws IOException {
        Files.setPosixFilePermissions(layout.dir(), TRAVERSE_ONLY);
        Files.setPosixFilePermissions(layout.brizo(), OWNER_ONLY);
        for (Path tree : List.of(layout.inputs(), layout.transformations())) {
            Files.walkFileTree(tree, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.setPosixFilePermissions(dir, READABLE_DIR);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.setPosixFilePermissions(file, READABLE_FILE);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        for (Path dir : List.of(layout.outputs(), layout.logs())) {
            Files.setPosixFilePermissions(dir, READABLE_DIR);
            if (sandbox.uid() != null) {
                Files.setAttribute(dir, "unix:uid", sandbox.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dir, "unix:gid", sandbox.uid(), LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    /**
     * Runs {@code true} in a sandbox built as for a job, so that a machine where bubblewrap
     * cannot work (user namespaces disabled, say) fails at start rather than at every job.
     */
    static void probe(Path root, Sandbox sandbox) {
        Path dir = root.resolve(".probe-" + UUID.randomUUID());
        JobLayout layout = new JobLayout(dir);
        try {
            Files.createDirectories(layout.brizo());
            Files.createDirectories(layout.inputs());
            Files.createDirectories(layout.transformations());
            Files.createDirectories(layout.outputs());
            Files.createDirectories(layout.logs());
            prepareJob(layout, sandbox);
            // Without a process limit: running jobs of the sandbox user must not make a restart fail.
            Sandbox.Limits l = sandbox.limits();
            Sandbox host = new Sandbox(
                    sandbox.bwrap(),
                    sandbox.uid(),
                    Map.of("probe", Sandbox.HOST),
                    new Sandbox.Limits(l.memoryBytes(), l.cpuTime(), 0, l.openFiles(), l.outputBytes()));
            List<String> line = host.commandLine(dir, "probe", Map.of("PATH", Sandbox.PATH), List.of("true"));
            Process p = new ProcessBuilder(line)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BrizoException.configuration("the bubblewrap sandbox did not start within 20 s");
            }
            if (p.exitValue() != 0) {
                throw BrizoException.configuration("the bubblewrap sandbox does not work on this machine ("
                        + new String(out, StandardCharsets.UTF_8).strip()
                        + "); it needs unprivileged user namespaces (sysctl user.max_user_namespaces > 0),"
                        + " prlimit and setpriv (package util-linux)");
            }
        } catch (IOException e) {
            throw BrizoException.configuration(
                    "cannot try the bubblewrap sandbox in the compute directory (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BrizoException.configuration("interrupted while trying the bubblewrap sandbox");
        } finally {
            removeQuietly(dir);
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // Left behind: ignored by recovery, its name starts with a dot.
        }
    }
}
