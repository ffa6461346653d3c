package io.brizo.spring.boot;

import io.brizo.spi.BrizoException;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Reads the library's settings from the {@code brizo.*} properties of a Spring environment, with
 * Spring's precedence (command line, system properties, environment variables, then
 * application.yml and .properties) and relaxed names.
 *
 * <p>As the library does for its own sources, a name no module declares fails at start, naming
 * the property and where it was set; environment variables and JVM system properties are exempt,
 * since they hold much else. Values are never put in a message.
 */
final class SpringSettings {
    private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of(BrizoSettingNames.PREFIX);

    private SpringSettings() {}

    /**
     * {@return the settings the environment's {@code brizo.*} properties give}
     *
     * @throws BrizoException of kind CONFIGURATION naming every property that names no setting,
     *     is a list, or belongs to the application's server
     */
    static Settings read(ConfigurableEnvironment environment, BrizoSettingNames names) {
        Binder binder = Binder.get(environment);
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            boolean processWide = isProcessWide(source.getUnderlyingSource());
            iterable.filter(PREFIX::isAncestorOf).stream().forEach(name -> {
                String rest = rest(name);
                if (BrizoSettingNames.isStarterProperty(rest)) {
                    return;
                }
                String shown = name + where(source.getConfigurationProperty(name));
                String server = BrizoSettingNames.SERVER_OWNED.get("BRIZO_" + rest);
                if (server != null) {
                    if (!processWide) {
                        problems.add(shown + " has no effect in a Spring Boot application, whose own server serves"
                                + " the API: use " + server);
                    }
                    return;
                }
                SettingKey key = names.setting(rest).orElse(null);
                if (key == null) {
                    if (!processWide) {
                        problems.add(shown + " is not a Brizo setting"
                                + names.closest(rest)
                                        .map(c -> "; did you mean " + c + "?")
                                        .orElse(""));
                    }
                    return;
                }
                if (isIndexed(name)) {
                    problems.add(shown + " is a list, but " + BrizoSettingNames.propertyName(key)
                            + " is one text value, as the library's " + key.name() + " (e.g. a:b or a,b)");
                    return;
                }
                if (!values.containsKey(key.name())) {
                    // The first source that has it wins: sources come in precedence order.
                    values.put(
                            key.name(),
                            binder.bind(name, Bindable.of(String.class)).orElse(""));
                }
            });
        }
        if (!problems.isEmpty()) {
            throw BrizoException.configuration("unknown or misplaced brizo.* propert"
                    + (problems.size() > 1 ? "ies: " : "y: ") + String.join("; ", problems)
                    + ". Remove or rename it; the brizo-spring-boot-starter README lists every property");
        }
        return Settings.builder().putAll(values).build();
    }

    /**
     * {@return whether {@code source} is the process's environment or its JVM system properties}
     * Both hold much else, other tools' {@code brizo.*} names included, so an unknown name there
     * is left alone, as the library leaves unknown environment variables alone.
     */
    private static boolean isProcessWide(Object source) {
        return source instanceof SystemEnvironmentPropertySource
                || (source instanceof PropertySource<?> p
                        && StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME.equals(p.getName()));
    }

    /** {@return the property's name after {@code brizo.}, list indexes left out, in canonical form} */
    private static String rest(ConfigurationPropertyName name) {
        StringBuilder rest = new StringBuilder();
        for (int i = 1; i < name.getNumberOfElements(); i++) {
            if (name.isNumericIndex(i)) {
                continue;
            }
            if (!rest.isEmpty()) {
                rest.append('_');
            }
            rest.append(name.getElement(i, ConfigurationPropertyName.Form.ORIGINAL));
        }
        return BrizoSettingNames.canonical(rest.toString());
    }

    private static boolean isIndexed(ConfigurationPropertyName name) {
        for (int i = 1; i < name.getNumberOfElements(); i++) {
            if (name.isNumericIndex(i)) {
                return true;
            }
        }
        return false;
    }

    private static String where(ConfigurationProperty property) {
        Origin origin = property == null ? null : property.getOrigin();
        return origin == null ? "" : " (from " + origin + ")";
    }
}
