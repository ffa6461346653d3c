package io.brizo.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library version and the versions it was built against, written into a resource at build time. */
public final class Version {
    private static final Properties BUILD = load();
    private static final String VERSION = BUILD.getProperty("version", "unknown");

    private Version() {}

    /** {@return the version, or {@code unknown} when run from unpackaged classes without the resource} */
    public static String get() {
        return VERSION;
    }

    /**
     * {@return the version of {@code org.webjars:swagger-ui} this library was built and tested
     * with (an optional dependency), or {@code unknown}}
     */
    public static String swaggerUi() {
        return BUILD.getProperty("swaggerUi", "unknown");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/io/brizo/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // Unknown versions, as without the resource.
        }
        return p;
    }
}
