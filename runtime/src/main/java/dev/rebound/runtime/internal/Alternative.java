package dev.rebound.runtime.internal;

import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Passthrough;
import java.lang.reflect.Method;
import java.util.function.Supplier;

/** One entry of a fallback chain: where its instance comes from, the method to call, its retry. */
public final class Alternative implements Invoker {

    private final String name;
    private final Supplier<?> instance;
    private final MethodCaller method;
    private final RetryPolicy retry;

    public Alternative(String name, Supplier<?> instance, Method method, RetryPolicy retry) {
        this.name = name;
        this.instance = instance;
        this.method = new MethodCaller(method);
        this.retry = retry;
    }

    public String name() {
        return name;
    }

    public RetryPolicy retry() {
        return retry;
    }

    public Object instance() {
        return instance.get();
    }

    /**
     * Calls the method on {@code target} (the alternative's instance). The call
     * is marked as a {@link Passthrough}: the alternative's own door must not apply its policy again.
     */
    @Override
    public Object invoke(Object target, Object[] args) throws Throwable {
        Object outer = Passthrough.enter(target);
        try {
            return method.call(target, args);
        } finally {
            Passthrough.exit(outer);
        }
    }
}
