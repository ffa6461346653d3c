package io.brizo.servlet;

/** The HTTP binding contract for the servlet in Jetty, mounted under {@code /ctx/brizo/*}. */
class JettyMountedHttpBindingContractTest extends ServletHttpBindingContractTest {
    JettyMountedHttpBindingContractTest() {
        super(Container.JETTY, "/ctx", "/brizo/*");
    }
}
