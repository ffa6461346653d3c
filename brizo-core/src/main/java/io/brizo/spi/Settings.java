package io.brizo.spi;

import io.brizo.internal.config.BrizoIni;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An immutable view over configuration. Values come, in order of precedence, from explicit
 * values, then a properties file, then environment variables, then the Python Brizo's INI file
 * ({@code config.ini}, see {@link Builder#configFile(Path)}).
 *
 * <p>Names are canonical upper case with underscores ({@code BRIZO_PORT}); {@code brizo.port}
 * and {@code brizo-port} are accepted as the same name. Typed getters fail with a
 * {@link ErrorKind#CONFIGURATION} error that names the key and says how to fix the value.
 * {@link #toString()} never prints a secret value.
 */
public final class Settings {
    private static final Pattern SECRET_NAME =
            Pattern.compile(".*(KEY|SECRET|PASSWORD|TOKEN|CREDENTIAL|CONNECTION_STRING|SAS|_URL|LOCATION).*");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final Map<String, Entry> entries;

    /** A value, where it came from, and whether {@link #requireKnown} checks its name. */
    private record Entry(String value, String source, boolean checked) {}

    private Settings(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new TreeMap<>(entries));
    }

    /** {@return settings with no values} */
    public static Settings empty() {
        return new Settings(Map.of());
    }

    /** {@return a builder} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return {@code name} in canonical form: upper case, with dots and dashes as underscores} */
    public static String canonicalName(String name) {
        return name.trim().replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** {@return the value of {@code key}, if set and not blank} */
    public Optional<String> get(String key) {
        Entry e = entries.get(canonicalName(key));
        return e == null || e.value.isBlank() ? Optional.empty() : Optional.of(e.value.trim());
    }

    /** {@return the value of {@code key}, or {@code defaultValue}} */
    public String get(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    /** {@return the value of {@code key}, or a CONFIGURATION error saying it is required} */
    public String require(String key, String hint) {
        return get(key).orElseThrow(
                        () -> BrizoException.configuration("setting " + canonicalName(key) + " is required: " + hint));
    }

    /** {@return whether {@code key} has a value} */
    public boolean has(String key) {
        return get(key).isPresent();
    }

    /** {@return the integer value of {@code key}, or {@code defaultValue}} */
    public int getInt(String key, int defaultValue, int min, int max) {
        Optional<String> v = get(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            int i = Integer.parseInt(v.get());
            if (i < min || i > max) {
                throw malformed(key, "a whole number from " + min + " to " + max);
            }
            return i;
        } catch (NumberFormatException e) {
            throw malformed(key, "a whole number from " + min + " to " + max);
        }
    }

    /** {@return the boolean value of {@code key} ({@code true/false/yes/no/1/0}), or the default} */
    public boolean getBoolean(String key, boolean defaultValue) {
        Optional<String> v = get(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        return switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw malformed(key, "true or false");
        };
    }

    /**
     * {@return the duration value of {@code key}, or the default} Accepted forms: {@code 0},
     * {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} and ISO-8601 ({@code PT30S}).
     */
    public Duration getDuration(String key, Duration defaultValue) {
        Optional<String> v = get(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        String s = v.get().toLowerCase(Locale.ROOT);
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(s);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            Duration d = Duration.parse(v.get().toUpperCase(Locale.ROOT));
            if (d.isNegative()) {
                throw malformed(key, "a duration such as 30s, 5m or PT30S");
            }
            return d;
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            throw malformed(key, "a duration such as 30s, 5m or PT30S");
        }
    }

    /** {@return the value of {@code key} split at {@code separator} (a literal), blanks dropped} */
    public List<String> getList(String key, String separator) {
        Optional<String> v = get(key);
        if (v.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : v.get().split(Pattern.quote(separator))) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return List.copyOf(out);
    }

    /** {@return the path value of {@code key}, if set} */
    public Optional<Path> getPath(String key) {
        Optional<String> v = get(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(v.get()));
        } catch (RuntimeException e) {
            throw malformed(key, "a file system path");
        }
    }

    /** {@return the names that have a value} */
    public Set<String> names() {
        return entries.keySet();
    }

    /**
     * {@return a CONFIGURATION error for {@code key}} The message names the key, where its value
     * came from and what was expected, and shows the value only if the key is not secret.
     */
    public BrizoException malformed(String key, String expected) {
        String name = canonicalName(key);
        Entry e = entries.get(name);
        String shown = e == null ? "" : isSecretName(name) ? " (value hidden)" : " '" + e.value + "'";
        String from = e == null ? "" : " from " + e.source;
        return BrizoException.configuration(
                "setting " + name + from + " has an invalid value" + shown + ": expected " + expected);
    }

    /**
     * Fails if an explicit or properties-file value has a name that no component declares.
     * Environment variables are not checked: the environment holds much else.
     *
     * @param known every key the configured components understand
     * @throws BrizoException of kind CONFIGURATION naming the unknown keys and the closest known
     *     names
     */
    public void requireKnown(Collection<SettingKey> known) {
        Set<String> names = new TreeSet<>();
        known.forEach(k -> names.add(k.name()));
        List<String> problems = new ArrayList<>();
        entries.forEach((name, e) -> {
            if (e.checked && !names.contains(name)) {
                String hint = closest(name, names)
                        .map(c -> "; did you mean " + c + "?")
                        .orElse("");
                problems.add(name + " (from " + e.source + ")" + hint);
            }
        });
        if (!problems.isEmpty()) {
            throw BrizoException.configuration("unknown setting" + (problems.size() > 1 ? "s " : " ")
                    + String.join(", ", problems) + ". Remove it or fix its name; known settings: "
                    + String.join(", ", names));
        }
    }

    /**
     * {@return the candidate nearest to {@code name} by edit distance, if it is near enough to be
     * a likely typo} For "did you mean" messages about unknown setting or property names.
     */
    public static Optional<String> closestName(String name, Collection<String> candidates) {
        return closest(name, candidates);
    }

    private static Optional<String> closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(name, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** {@return whether values of a setting with this name are masked when printed} */
    public static boolean isSecretName(String name) {
        return SECRET_NAME.matcher(canonicalName(name)).matches();
    }

    /** {@return the explicit and file settings, with secret values masked; never the environment} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Settings{");
        String sep = "";
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if ("environment".equals(e.getValue().source)) {
                continue;
            }
            sb.append(sep).append(e.getKey()).append('=');
            sb.append(isSecretName(e.getKey()) ? "****" : e.getValue().value);
            sep = ", ";
        }
        return sb.append('}').toString();
    }

    /** Builds {@link Settings}. Later calls of the same kind override earlier ones. */
    public static final class Builder {
        private final Map<String, String> explicit = new LinkedHashMap<>();
        private final Map<String, String> file = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String fileName = "properties file";
        private BrizoIni ini;

        private Builder() {}

        /** Sets an explicit value, which wins over the file and the environment. */
        public Builder put(String key, String value) {
            explicit.put(canonicalName(key), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sets explicit values. */
        public Builder putAll(Map<String, String> values) {
            values.forEach(this::put);
            return this;
        }

        /**
         * Reads a properties file; its values win over the environment.
         *
         * @throws BrizoException of kind CONFIGURATION if the file cannot be read
         */
        public Builder propertiesFile(Path path) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(path)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw BrizoException.configuration("cannot read the settings file " + path.getFileName() + ": "
                        + e.getClass().getSimpleName() + "; check that it exists and is a properties file");
            }
            fileName = "file " + path.getFileName();
            p.stringPropertyNames().forEach(k -> file.put(canonicalName(k), p.getProperty(k)));
            return this;
        }

        /**
         * Reads a configuration file: the Python Brizo's INI file ({@code config.ini}: a name
         * ending in {@code .ini}, or {@code [section]} headers) or a properties file. The INI file's
         * keys map to this library's settings and, as in the original, environment variables win
         * over them; a key this library does not use is logged once as a warning.
         *
         * @throws BrizoException of kind CONFIGURATION if the file cannot be read or is malformed
         *     (naming the file and line, never the value)
         */
        public Builder configFile(Path path) {
            return BrizoIni.isIni(path) ? iniFile(path) : propertiesFile(path);
        }

        /**
         * Reads the Python Brizo's INI file; environment variables win over its values.
         *
         * @throws BrizoException of kind CONFIGURATION if the file cannot be read or is malformed
         */
        public Builder iniFile(Path path) {
            ini = BrizoIni.read(path);
            return this;
        }

        /** Takes values from these environment variables (usually {@code System.getenv()}). */
        public Builder environment(Map<String, String> env) {
            env.forEach((k, v) -> environment.put(canonicalName(k), v));
            return this;
        }

        /** {@return the settings} */
        public Settings build() {
            Map<String, Entry> merged = new LinkedHashMap<>();
            if (ini != null) {
                // Not checked against the declared names: the file is the original's, and a key
                // such as an Azure credential may serve a module that is not on the class path.
                String source = "file " + ini.fileName();
                ini.settings(environment).forEach((k, v) -> merged.put(k, new Entry(v, source, false)));
            }
            environment.forEach((k, v) -> merged.put(k, new Entry(v, "environment", false)));
            file.forEach((k, v) -> merged.put(k, new Entry(v, fileName, true)));
            explicit.forEach((k, v) -> merged.put(k, new Entry(v, "explicit value", true)));
            return new Settings(merged);
        }
    }
}
