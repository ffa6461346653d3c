package io.brizo.internal.storage;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Sends each location to the first driver, in order, that supports it. */
public final class StorageRouter implements StorageAccess {
    private final List<StorageDriver> drivers;

    /** Routes over {@code drivers}, asked in this order. */
    public StorageRouter(List<StorageDriver> drivers) {
        this.drivers = List.copyOf(drivers);
    }

    /** {@return the drivers' names in the order they are asked} */
    public List<String> names() {
        return drivers.stream().map(StorageDriver::name).toList();
    }

    /**
     * {@return the driver for {@code location}}
     *
     * @throws BrizoException of kind CONFIGURATION naming the installed drivers, never the location
     */
    public StorageDriver driverFor(URI location) {
        for (StorageDriver d : drivers) {
            if (d.supports(location)) {
                return d;
            }
        }
        throw BrizoException.configuration("no storage driver handles this asset's file; installed drivers: "
                + (drivers.isEmpty() ? "none" : String.join(", ", names())));
    }

    @Override
    public ObjectInfo stat(URI location) {
        return driverFor(location).stat(location);
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        return driverFor(location).open(location, range);
    }

    @Override
    public Optional<URI> presignGet(URI location, Duration lifetime) {
        return driverFor(location).presignGet(location, lifetime);
    }

    @Override
    public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
        return driverFor(location).write(location, data, length, contentType);
    }

    @Override
    public void delete(URI location) {
        driverFor(location).delete(location);
    }
}
