package io.brizo.servlet;

/** The HTTP binding contract for the servlet in Tomcat, mapped to {@code /*} at the root. */
class TomcatHttpBindingContractTest extends ServletHttpBindingContractTest {
    TomcatHttpBindingContractTest() {
        super(Container.TOMCAT, "", "/*");
    }
}
