package io.brizo.servlet;

/** The HTTP binding contract for the servlet in Tomcat, mounted under {@code /ctx/brizo/*}. */
class TomcatMountedHttpBindingContractTest extends ServletHttpBindingContractTest {
    TomcatMountedHttpBindingContractTest() {
        super(Container.TOMCAT, "/ctx", "/brizo/*");
    }
}
