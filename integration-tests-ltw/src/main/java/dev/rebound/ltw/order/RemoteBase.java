package dev.rebound.ltw.order;

import dev.rebound.annotations.Retry;

/** A policy on an abstract superclass ({@code @Retry} is {@code @Inherited}); LoadOrderTest loads a subclass first. */
@Retry(attempts = 3)
public abstract class RemoteBase {
}
