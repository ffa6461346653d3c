package io.brizo.compute.local;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The GPUs the {@code local} environment offers, each held by at most one job at a time.
 * Thread-safe.
 */
final class GpuPool {
    private final List<Gpus.Gpu> offered;
    // Guarded by this.
    private final Set<Integer> held = new TreeSet<>();

    GpuPool(List<Gpus.Gpu> offered) {
        this.offered = List.copyOf(offered);
    }

    /** {@return every GPU offered} */
    List<Gpus.Gpu> offered() {
        return offered;
    }

    /** {@return {@code n} GPUs no job holds, now held, or an empty list if fewer are free} */
    synchronized List<Gpus.Gpu> tryAcquire(int n) {
        List<Gpus.Gpu> free = new ArrayList<>();
        for (Gpus.Gpu g : offered) {
            if (free.size() < n && !held.contains(g.index())) {
                free.add(g);
            }
        }
        if (free.size() < n) {
            return List.of();
        }
        free.forEach(g -> held.add(g.index()));
        return List.copyOf(free);
    }

    /** Marks the GPUs of {@code indexes} held: a job found running after a restart still uses them. */
    synchronized void hold(Collection<Integer> indexes) {
        held.addAll(indexes);
    }

    /** Gives the GPUs of {@code indexes} back, and wakes jobs waiting for some. */
    synchronized void release(Collection<Integer> indexes) {
        held.removeAll(indexes);
        notifyAll();
    }

    /** Waits at most {@code millis} for a release. */
    synchronized void awaitRelease(long millis) throws InterruptedException {
        wait(millis);
    }
}
