package io.quarkus.arc;

/**
 * Quarkus ArC's interface of its client proxies, by its real name and with the method Rebound reads (ArC's own
 * declares {@code arc_bean()} too): the tests make client proxies as ArC's {@code ClientProxyGenerator} does.
 */
public interface ClientProxy {

    /** The contextual instance this proxy hands its calls to now. */
    Object arc_contextualInstance();
}
