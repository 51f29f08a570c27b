package dev.rebound.ltw.order;

import dev.rebound.annotations.Retry;

/**
 * A policy on the interface itself, none on its method. LoadOrderTest loads {@link RemoteClient} in a
 * fresh class loader before this interface, so the agent weaves the class while the interface is
 * still unwoven (it carries no {@code DeclaresPolicy} marker yet).
 */
@Retry(attempts = 3)
public interface Remote {

    String call(String prompt);
}
