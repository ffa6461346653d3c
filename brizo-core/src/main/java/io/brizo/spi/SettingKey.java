package io.brizo.spi;

import java.util.Objects;

/**
 * A setting a component understands: its name, default, whether it is secret, and what it means.
 * Components declare their keys so unknown names can be rejected at build time and secret values
 * masked wherever settings are printed.
 *
 * @param name the canonical name, upper case with underscores (also the environment variable)
 * @param defaultValue the default as text, or null if there is none
 * @param secret whether the value must never be printed
 * @param description one sentence for documentation and error messages
 */
public record SettingKey(String name, String defaultValue, boolean secret, String description) {
    /** Validates the key. */
    public SettingKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (!name.equals(Settings.canonicalName(name))) {
            throw new IllegalArgumentException("setting names are upper case with underscores: " + name);
        }
    }

    /** {@return a non-secret key} */
    public static SettingKey of(String name, String defaultValue, String description) {
        return new SettingKey(name, defaultValue, false, description);
    }

    /** {@return a secret key, masked wherever settings are printed} */
    public static SettingKey secret(String name, String description) {
        return new SettingKey(name, null, true, description);
    }
}
