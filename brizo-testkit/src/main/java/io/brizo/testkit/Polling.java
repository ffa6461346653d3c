package io.brizo.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Waiting with a deadline, and running at once, as the contract suites do; public so that tests of
 * other modules wait the same way instead of sleeping.
 */
public final class Polling {
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Polling() {}

    /** A value to poll, which may throw. */
    @FunctionalInterface
    public interface Probe<T> {
        /** {@return the current value} */
        T get() throws Exception;
    }

    /**
     * {@return the first value of {@code probe} that passes {@code done}} Polls every 20 ms and
     * fails after {@code deadline} with {@code failure} of the last value.
     */
    public static <T> T until(Duration deadline, Probe<T> probe, Predicate<T> done, Function<T, String> failure)
            throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        T last = probe.get();
        while (!done.test(last)) {
            if (System.nanoTime() - end > 0) {
                fail(failure.apply(last));
            }
            LockSupport.parkNanos(INTERVAL_NANOS);
            last = probe.get();
        }
        return last;
    }

    /**
     * Runs {@code tasks} at once, one thread each, and fails with the first task's failure, named
     * by {@code what}, or when they take longer than {@code limit}.
     */
    public static void concurrently(List<Callable<Void>> tasks, Duration limit, String what) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            for (Future<Void> f : pool.invokeAll(tasks, limit.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    fail(what + " failed", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
