package dev.rebound.it.plain;

import com.google.inject.Inject;
import com.google.inject.name.Named;

/**
 * {@link HttpChat} with a type parameter (javac only: Guice intercepts it), which a module binds under each type
 * argument, a qualified binding each: its breaker is its interface's.
 */
public class TypedHttpChat<T> extends HttpChat {

    @Inject
    public TypedHttpChat(@Named("provider") String provider) {
        super(provider);
    }
}
