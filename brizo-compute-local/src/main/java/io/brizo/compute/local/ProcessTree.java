package io.brizo.compute.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends a process and everything it started, and tells whether processes still run. A process
 * tree is found through {@link ProcessHandle#descendants()}, so a process that detached itself
 * (double fork, {@code setsid}) or that outlived an ancestor which already exited is out of
 * reach: a limit of running jobs as plain local processes.
 */
final class ProcessTree {
    private static final long KILL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private ProcessTree() {}

    /**
     * Asks the tree of {@code root} to end (SIGTERM), waits up to {@code grace}, then kills what
     * is left (SIGKILL) and waits up to {@code grace} again.
     *
     * @return whether every process of the tree is gone; false also when interrupted, with the
     *     thread's interrupt flag set
     */
    static boolean kill(ProcessHandle root, Duration grace) {
        // Snapshot before signalling anyone: once a parent dies its children are re-parented
        // and are no longer its descendants.
        Set<ProcessHandle> tree = snapshot(List.of(root));
        tree.forEach(ProcessHandle::destroy);
        if (awaitGone(tree, grace.toNanos(), KILL_POLL_NANOS)) {
            return true;
        }
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        // Whatever survived may have started more processes in the meantime.
        Set<ProcessHandle> left =
                snapshot(tree.stream().filter(ProcessTree::isRunning).toList());
        left.forEach(ProcessHandle::destroyForcibly);
        return awaitGone(left, grace.toNanos(), KILL_POLL_NANOS);
    }

    /**
     * Kills (SIGKILL) every process whose command line names {@code marker}, a job's directory:
     * what a job left outside its tree once it ended, such as a sandbox's monitor re-parented to
     * init when the process that started it died first. Such a process would otherwise live on
     * and count against the sandbox user's process limit; or a sandbox that the job's wrapper
     * forked just after {@link #kill} took its tree, orphaned when the wrapper died of SIGTERM.
     *
     * @return whether they are all gone within {@code grace}; false also when interrupted, with
     *     the thread's interrupt flag set
     */
    static boolean killNaming(String marker, Duration grace) {
        List<ProcessHandle> named = ProcessHandle.allProcesses()
                .filter(p -> commandLine(p.pid()).contains(marker))
                .toList();
        named.forEach(ProcessHandle::destroyForcibly);
        return awaitGone(named, grace.toNanos(), KILL_POLL_NANOS);
    }

    /**
     * {@return the arguments of the process joined by spaces, empty when it is gone} Read from
     * Linux's {@code /proc/<pid>/cmdline} rather than {@link ProcessHandle.Info#commandLine()},
     * which stops at the first empty argument: a sandbox started with an empty variable (an
     * inline algorithm's {@code TRANSFORMATION_DID}) hid its paths from it.
     */
    static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static Set<ProcessHandle> snapshot(List<ProcessHandle> roots) {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        for (ProcessHandle r : roots) {
            r.descendants().forEach(all::add);
            all.add(r);
        }
        return all;
    }

    /**
     * Waits until none of {@code handles} runs, checking every {@code pollNanos}. Polls rather
     * than using {@link ProcessHandle#onExit()}, which never completes for a zombie.
     *
     * @return whether they are all gone; false after the timeout or when interrupted, with the
     *     thread's interrupt flag set
     */
    static boolean awaitGone(Collection<ProcessHandle> handles, long timeoutNanos, long pollNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        List<ProcessHandle> running = new ArrayList<>(handles);
        while (true) {
            running.removeIf(h -> !isRunning(h));
            if (running.isEmpty()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(Math.min(left, pollNanos));
        }
    }

    /**
     * {@return whether the process still runs} A zombie does not: it has exited and waits to be
     * reaped, which under a container init that never reaps may be forever, yet the JDK reports
     * it alive. Processes re-parented to such an init are exactly those of a killed job.
     */
    static boolean isRunning(ProcessHandle h) {
        return h.isAlive() && !isZombie(h.pid());
    }

    /** Reads the state field of Linux's {@code /proc/<pid>/stat}; false where there is none. */
    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (command) state ...": the command may contain anything, even ") ".
            int end = stat.lastIndexOf(')');
            return end >= 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
