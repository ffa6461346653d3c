package io.brizo.internal.storage;

import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Creates the {@code file} storage driver, which serves {@code file:} locations inside the root
 * directories listed in {@value #ROOTS}. Without that setting the driver is not configured, so a
 * publisher never serves local files by accident.
 *
 * <p>Found through {@link java.util.ServiceLoader}; public only for that reason.
 */
public final class FileStorageDriverFactory implements StorageDriver.Factory {
    /** The root directories, separated by the platform's path separator ({@code :} on Unix). */
    public static final String ROOTS = "BRIZO_FILE_ROOTS";

    /** Creates the factory; ServiceLoader calls this. */
    public FileStorageDriverFactory() {}

    @Override
    public String name() {
        return "file";
    }

    /**
     * {@return the driver, or empty if {@value #ROOTS} is not set} Fails with a CONFIGURATION error
     * if an entry is not an existing directory.
     */
    @Override
    public Optional<StorageDriver> create(Settings settings) {
        List<String> entries = settings.getList(ROOTS, File.pathSeparator);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        List<FileStorageDriver.Root> roots = new ArrayList<>();
        for (String entry : entries) {
            Path configured;
            try {
                configured = Path.of(entry).toAbsolutePath().normalize();
            } catch (RuntimeException e) {
                throw settings.malformed(ROOTS, expected());
            }
            if (!Files.isDirectory(configured)) {
                throw settings.malformed(ROOTS, expected());
            }
            try {
                roots.add(new FileStorageDriver.Root(configured, configured.toRealPath()));
            } catch (IOException e) {
                throw settings.malformed(ROOTS, expected());
            }
        }
        return Optional.of(new FileStorageDriver(roots));
    }

    private static String expected() {
        return "existing directories separated by '" + File.pathSeparator + "'";
    }

    @Override
    public List<SettingKey> settingKeys() {
        return List.of(SettingKey.of(
                ROOTS,
                null,
                "Directories whose files may be served, separated by '" + File.pathSeparator
                        + "'; file: locations outside them are refused. Unset: the file driver is off."));
    }

    @Override
    public String toString() {
        return "FileStorageDriverFactory";
    }
}
