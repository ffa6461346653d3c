package io.brizo.spring.boot;

import io.brizo.Brizo;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How {@code brizo.*} properties name the library's settings, for every setting that core and the
 * modules on the class path declare ({@link Brizo#settingKeys(ClassLoader)}), without a list of
 * its own: the property's name after {@code brizo.}, in the library's canonical form, is the
 * setting's name with or without its {@code BRIZO_} prefix. So {@code brizo.file-roots} is {@code
 * BRIZO_FILE_ROOTS}, {@code brizo.keeper.url} is {@code KEEPER_URL}, and relaxed forms
 * ({@code brizo.keeper-url}, {@code brizo.fileRoots}, the environment variable {@code
 * BRIZO_KEEPER_URL}) are the same property.
 */
public final class BrizoSettingNames {
    /** The prefix of every property the starter reads. */
    public static final String PREFIX = "brizo";

    /**
     * Settings of the library's own HTTP server, which mean nothing here (the application's server
     * serves the API), with the Spring Boot property to use instead.
     */
    static final Map<String, String> SERVER_OWNED = Map.of(
            "BRIZO_HOST", "server.address",
            "BRIZO_PORT", "server.port",
            "BRIZO_HTTP_THREADS", "the web server's own thread settings (server.tomcat.threads.max on Tomcat)");

    /** First words that name a group: {@code BRIZO_COMPUTE_DIR} is {@code brizo.compute.dir}. */
    private static final Set<String> GROUPS = Set.of("compute", "http", "k8s", "auth", "nonce");

    private final Map<String, SettingKey> keys = new LinkedHashMap<>();

    private BrizoSettingNames(Collection<SettingKey> keys) {
        for (SettingKey key : keys) {
            if (!SERVER_OWNED.containsKey(key.name())) {
                this.keys.putIfAbsent(key.name(), key);
            }
        }
    }

    /** {@return the names of the settings declared on {@code loader}'s class path} */
    public static BrizoSettingNames of(ClassLoader loader) {
        return new BrizoSettingNames(Brizo.settingKeys(loader));
    }

    /** {@return the names of {@code keys}} */
    public static BrizoSettingNames of(Collection<SettingKey> keys) {
        return new BrizoSettingNames(keys);
    }

    /** {@return the settings that {@code brizo.*} properties may set, in declaration order} */
    public List<SettingKey> settings() {
        return List.copyOf(keys.values());
    }

    /**
     * {@return the setting a property names}
     *
     * @param rest the property's name after {@code brizo.}, in canonical form ({@code FILE_ROOTS})
     */
    public Optional<SettingKey> setting(String rest) {
        SettingKey key = keys.get("BRIZO_" + rest);
        if (key == null && !rest.startsWith("BRIZO_")) {
            key = keys.get(rest);
        }
        return Optional.ofNullable(key);
    }

    /** {@return whether {@code rest} names one of the starter's own properties ({@link BrizoProperties})} */
    static boolean isStarterProperty(String rest) {
        return rest.equals("ENABLED")
                || rest.equals("HTTP")
                || rest.equals("HTTP_BASE_PATH")
                || rest.equals("HTTP_CORS")
                || rest.startsWith("HTTP_CORS_");
    }

    /**
     * {@return the property name IDEs complete and the documentation shows for {@code key}}: the
     * name without {@code BRIZO_}, lower case with dashes, its first word a group where it names
     * one ({@code brizo.keeper.url}, {@code brizo.compute.max-jobs}, {@code brizo.file-roots}).
     */
    public static String propertyName(SettingKey key) {
        boolean ours = key.name().startsWith("BRIZO_");
        String[] words = (ours ? key.name().substring("BRIZO_".length()) : key.name())
                .toLowerCase(Locale.ROOT)
                .split("_");
        boolean grouped = words.length > 1 && (!ours || GROUPS.contains(words[0]));
        StringBuilder name = new StringBuilder(PREFIX).append('.');
        for (int i = 0; i < words.length; i++) {
            if (i > 0) {
                name.append(grouped && i == 1 ? '.' : '-');
            }
            name.append(words[i]);
        }
        return name.toString();
    }

    /**
     * {@return whether the value of the property {@code name} (as any property source spells it:
     * {@code brizo.provider-key}, {@code BRIZO_PROVIDER_KEY}) must never be shown} Secret settings
     * and, as for the library's own printing, every name that looks secret.
     */
    public boolean isSecretProperty(String name) {
        String canonical = canonical(name);
        if (!canonical.startsWith("BRIZO_")) {
            return false;
        }
        String rest = canonical.substring("BRIZO_".length());
        return setting(rest).map(SettingKey::secret).orElse(false)
                || Settings.isSecretName(rest)
                || Settings.isSecretName(canonical);
    }

    /**
     * {@return a name in the library's canonical form} Dots, dashes and brackets become
     * underscores and camelCase words are split ({@code fileRoots} is {@code FILE_ROOTS}).
     */
    static String canonical(String name) {
        String split =
                name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('[', '_').replace("]", "");
        return Settings.canonicalName(split);
    }

    /** {@return the known property name closest to {@code rest}, if one is close} */
    Optional<String> closest(String rest) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (SettingKey key : keys.values()) {
            String candidate = key.name().startsWith("BRIZO_") ? key.name().substring(6) : key.name();
            properties.putIfAbsent(candidate, propertyName(key));
        }
        return Settings.closestName(rest, properties.keySet()).map(properties::get);
    }
}
