package io.brizo.metrics;

/** {@link BrizoMetrics#none()}: records nothing. */
final class NoMetrics implements BrizoMetrics {
    static final BrizoMetrics INSTANCE = new NoMetrics();

    private NoMetrics() {}

    @Override
    public String toString() {
        return "BrizoMetrics.none()";
    }
}
