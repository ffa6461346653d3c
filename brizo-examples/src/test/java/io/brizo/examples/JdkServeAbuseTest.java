package io.brizo.examples;

import java.util.Map;

/**
 * {@link ServeAbuse} on the JDK server ({@code BRIZO_HTTP_SERVER=jdk}): slow headers are held off.
 * A thousand slow readers are not tried: that server holds a thread per download, so as many
 * slow readers as {@code BRIZO_HTTP_THREADS} make every new download wait (documented).
 */
class JdkServeAbuseTest extends ServeAbuse {
    @Override
    Map<String, String> serverSettings() {
        return Map.of("BRIZO_HTTP_SERVER", "jdk");
    }
}
