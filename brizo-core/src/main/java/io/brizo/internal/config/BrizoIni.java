package io.brizo.internal.config;

import io.brizo.spi.BrizoException;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Python Brizo's {@code config.ini} ({@code [keeper-contracts]}, {@code [resources]},
 * {@code [osmosis]}), read so that a publisher can start this library with the file they already
 * have. Each key the original knew maps to this library's setting; a key with no counterpart here is
 * logged once, as a warning that names it and what replaces it, and never stops the start.
 *
 * <p>As in the original, environment variables win over the file: the original's own variable
 * names ({@code AUTH_TOKEN_EXPIRATION}, {@code KEEPER_PATH}, ...) replace the file's value, and this
 * library's names ({@code BRIZO_AUTH_TOKEN_LIFETIME}, ...) win over both.
 */
public final class BrizoIni {
    /** What the original's keys look like: letters, digits, dots, underscores and dashes. */
    private static final Pattern KEY = Pattern.compile("[a-z0-9._-]+");

    private static final Logger LOG = LoggerFactory.getLogger(BrizoIni.class);
    private static final Pattern SECTION = Pattern.compile("\\[([^\\]]+)\\]");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private static final String COMPUTE_BACKENDS =
            "compute runs through a compute backend module here (brizo-compute-k8s or brizo-compute-local)";

    /** One key of the original's file: its environment variable and what it becomes here. */
    private record Key(String name, String env, String setting, UnaryOperator<String> convert, String instead) {
        boolean supported() {
            return setting != null;
        }
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        mapped("keeper.url", "KEEPER_URL", "KEEPER_URL");
        mapped("keeper.path", "KEEPER_PATH", "KEEPER_PATH");
        mapped("provider.address", "PROVIDER_ADDRESS", "PROVIDER_ADDRESS");
        mapped("aquarius.url", "AQUARIUS_URL", "AQUARIUS_URL");
        mapped("auth_token_message", "AUTH_TOKEN_MESSAGE", "BRIZO_AUTH_TOKEN_MESSAGE");
        // The original counts seconds; a bare number here would not say its unit.
        KEYS.put(
                "auth_token_expiration",
                new Key(
                        "auth_token_expiration",
                        "AUTH_TOKEN_EXPIRATION",
                        "BRIZO_AUTH_TOKEN_LIFETIME",
                        v -> DIGITS.matcher(v).matches() ? v + "s" : v,
                        null));
        mapped("azure.account.name", "AZURE_ACCOUNT_NAME", "AZURE_ACCOUNT_NAME");
        mapped("azure.account.key", "AZURE_ACCOUNT_KEY", "AZURE_ACCOUNT_KEY");
        mapped("azure.client.id", "AZURE_CLIENT_ID", "AZURE_CLIENT_ID");
        mapped("azure.client.secret", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_SECRET");
        mapped("azure.tenant.id", "AZURE_TENANT_ID", "AZURE_TENANT_ID");
        unsupported(
                "secret_store.url",
                "SECRET_STORE_URL",
                "there is no Parity secret store here: file lists are encrypted to the provider's key"
                        + " (PROVIDER_KEY; encryptedFiles and POST /api/v1/brizo/services/publish)");
        unsupported(
                "parity.url",
                "PARITY_URL",
                "the provider's transactions are signed here with PROVIDER_KEY and sent to keeper.url (KEEPER_URL)");
        unsupported(
                "brizo.url",
                "BRIZO_URL",
                "the server listens on BRIZO_HOST and BRIZO_PORT, and the URL at which compute pods reach it is"
                        + " BRIZO_PUBLIC_URL");
        unsupported("operator_service.url", "OPERATOR_SERVICE_URL", COMPUTE_BACKENDS);
        for (String azureCompute : List.of(
                "azure.resource_group",
                "azure.location",
                "azure.subscription.id",
                "azure.share.input",
                "azure.share.output")) {
            unsupported(
                    azureCompute,
                    Settings.canonicalName(azureCompute),
                    "it served the original's Azure Compute; " + COMPUTE_BACKENDS);
        }
    }

    private static void mapped(String name, String env, String setting) {
        KEYS.put(name, new Key(name, env, setting, UnaryOperator.identity(), null));
    }

    private static void unsupported(String name, String env, String instead) {
        KEYS.put(name, new Key(name, env, null, null, instead));
    }

    private record Value(String section, String value) {}

    private final String fileName;
    private final Map<String, Value> values;

    private BrizoIni(String fileName, Map<String, Value> values) {
        this.fileName = fileName;
        this.values = values;
    }

    /**
     * {@return whether {@code path} is an INI file rather than a properties file} It is when its name
     * ends in {@code .ini}, or its first line that is neither blank nor a comment is a
     * {@code [section]}.
     */
    public static boolean isIni(Path path) {
        Path name = path.getFileName();
        if (name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".ini")) {
            return true;
        }
        try {
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#") || t.startsWith(";") || t.startsWith("!")) {
                    continue;
                }
                return SECTION.matcher(t).matches();
            }
        } catch (IOException | RuntimeException e) {
            // Not readable as UTF-8 text: the properties reader gives the error.
        }
        return false;
    }

    /**
     * {@return the configuration file the original would read} {@code CONFIG_FILE} when set, else
     * {@code config.ini} in {@code workingDirectory} when it exists.
     */
    public static Optional<Path> defaultLocation(Map<String, String> env, Path workingDirectory) {
        String configured = env.get("CONFIG_FILE");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured.strip()));
        }
        Path local = workingDirectory.resolve("config.ini");
        return Files.isRegularFile(local) ? Optional.of(local) : Optional.empty();
    }

    /**
     * Reads and checks the file's syntax, as Python's configparser does: {@code [section]} headers,
     * {@code key = value} or {@code key: value}, {@code #} and {@code ;} comments, indented
     * continuation lines; names are case-insensitive.
     *
     * @throws BrizoException of kind CONFIGURATION naming the file and the line (never its content,
     *     which may hold a secret) when the file cannot be read or is not such a file
     */
    public static BrizoIni read(Path path) {
        String fileName =
                path.getFileName() == null ? "config file" : path.getFileName().toString();
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw BrizoException.configuration(
                    "cannot read the config file " + fileName + ": it is not UTF-8 text; save it as UTF-8");
        } catch (IOException e) {
            throw BrizoException.configuration("cannot read the config file " + fileName + ": "
                    + e.getClass().getSimpleName() + "; check that it exists and is readable");
        }
        if (text.startsWith("\uFEFF")) {
            // Editors on Windows save UTF-8 with a byte order mark.
            text = text.substring(1);
        }
        Map<String, Value> values = new LinkedHashMap<>();
        List<String> sections = new ArrayList<>();
        String section = null;
        String lastKey = null;
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i];
            String t = line.strip();
            if (t.isEmpty()) {
                lastKey = null;
                continue;
            }
            if (t.startsWith("#") || t.startsWith(";")) {
                continue;
            }
            boolean indented = Character.isWhitespace(line.charAt(0));
            if (indented && lastKey != null) {
                // configparser joins an indented line to the value above it.
                Value v = values.get(lastKey);
                values.put(lastKey, new Value(v.section, v.value.isEmpty() ? t : v.value + "\n" + t));
                continue;
            }
            if (t.startsWith("[")) {
                var m = SECTION.matcher(t);
                if (!m.matches() || m.group(1).isBlank()) {
                    throw syntax(fileName, lineNo, "a section header is written [name]");
                }
                section = m.group(1).strip();
                if (sections.contains(section)) {
                    throw syntax(fileName, lineNo, "section [" + section + "] is given twice; merge the two");
                }
                sections.add(section);
                lastKey = null;
                continue;
            }
            int eq = t.indexOf('=');
            int colon = t.indexOf(':');
            int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
            if (sep <= 0) {
                throw syntax(fileName, lineNo, "expected key = value, a [section] or a comment (# or ;)");
            }
            if (section == null) {
                throw syntax(fileName, lineNo, "a key comes before the first [section] header");
            }
            String key = t.substring(0, sep).strip().toLowerCase(Locale.ROOT);
            if (!KEY.matcher(key).matches()) {
                // Every key of the original is a dotted name; anything else is a line whose
                // separator is missing, and what stands before the first '=' may be its value.
                throw syntax(fileName, lineNo, "expected key = value, where a key is a name such as keeper.url");
            }
            if (values.containsKey(key)) {
                // configparser refuses a key twice in one section; in two sections each is read
                // where the original looked for it, and this reader knows only one place per key.
                throw syntax(
                        fileName,
                        lineNo,
                        "key " + key + " is given twice"
                                + (values.get(key).section.equals(section)
                                        ? ""
                                        : " (first in [" + values.get(key).section + "])")
                                + "; keep one");
            }
            values.put(key, new Value(section, t.substring(sep + 1).strip()));
            lastKey = key;
        }
        return new BrizoIni(fileName, values);
    }

    private static BrizoException syntax(String fileName, int line, String problem) {
        return BrizoException.configuration(
                "the config file " + fileName + " is not a valid INI file: line " + line + ": " + problem);
    }

    /**
     * {@return this library's settings for the file's keys, with the original's environment
     * variables in {@code env} replacing the file's values} Logs one warning for each key (set in
     * the file or by its environment variable) that this library does not use, naming it and what
     * replaces it; blank values count as unset, as they did in the original.
     */
    public Map<String, String> settings(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Key k : KEYS.values()) {
            Value inFile = values.get(k.name);
            String envValue = env.get(k.env);
            String value = envValue != null ? envValue.strip() : inFile == null ? null : inFile.value;
            if (value == null || value.isEmpty()) {
                continue;
            }
            String where = envValue != null
                    ? "environment variable " + k.env + " (" + k.name + " of " + fileName + ")"
                    : k.name + " ([" + inFile.section + "] of " + fileName + ")";
            if (k.supported()) {
                out.put(k.setting, k.convert.apply(value));
            } else {
                LOG.warn("{} is not used: {}", where, k.instead);
            }
        }
        values.forEach((name, v) -> {
            if (!KEYS.containsKey(name) && !v.value.isEmpty()) {
                String hint = Settings.closestName(name, KEYS.keySet())
                        .map(c -> "; did you mean " + c + "?")
                        .orElse("");
                LOG.warn(
                        "{} ([{}] of {}) is not a key of the Python Brizo's config file and is not used{}",
                        name,
                        v.section,
                        fileName,
                        hint);
            }
        });
        return out;
    }

    /** {@return the file's name, without its directory, for messages} */
    public String fileName() {
        return fileName;
    }

    /** {@return every key of the original's file that this reader knows, in the file's order} */
    public static List<String> knownKeys() {
        return List.copyOf(KEYS.keySet());
    }

    /** {@return this library's setting for the original's key {@code name}, if it has one} */
    public static Optional<String> settingFor(String name) {
        Key k = KEYS.get(name.toLowerCase(Locale.ROOT));
        return k == null ? Optional.empty() : Optional.ofNullable(k.setting);
    }
}
