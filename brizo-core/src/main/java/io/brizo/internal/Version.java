package io.brizo.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library version, written into a resource at build time. */
public final class Version {
    private static final String VERSION = load();

    private Version() {}

    /** {@return the version, or {@code unknown} when run from unpackaged classes without the resource} */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/io/brizo/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
