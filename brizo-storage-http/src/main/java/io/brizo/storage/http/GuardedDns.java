package io.brizo.storage.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Dns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves host names and drops the addresses {@link AddressPolicy} refuses, failing if none is
 * left. This keeps OkHttp from even trying a refused address of a host name; it is not the real
 * guard, because OkHttp never asks the {@code Dns} about IP-literal hosts: {@link
 * GuardedSocketFactory} checks the address actually connected to.
 */
final class GuardedDns implements Dns {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedDns.class);

    private final AddressPolicy policy;
    private final Dns delegate;

    GuardedDns(AddressPolicy policy, Dns delegate) {
        this.policy = policy;
        this.delegate = delegate;
    }

    @Override
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
        List<InetAddress> all = delegate.lookup(hostname);
        List<InetAddress> allowed = new ArrayList<>(all.size());
        for (InetAddress a : all) {
            if (policy.allows(a)) {
                allowed.add(a);
            } else {
                LOG.debug("dropping refused address {} of a storage host", a.getHostAddress());
            }
        }
        if (allowed.isEmpty()) {
            throw new AddressRefusal.RefusedHostException();
        }
        return List.copyOf(allowed);
    }
}
