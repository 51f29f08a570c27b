package dev.rebound.it;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.matcher.Matcher;
import com.google.inject.matcher.Matchers;
import com.google.inject.spi.TypeEncounter;
import com.google.inject.spi.TypeListener;
import java.lang.reflect.Method;
import org.aopalliance.intercept.MethodInterceptor;

/**
 * A user's module that binds an interceptor from a type listener, as metrics-guice binds the one behind its
 * {@code @Timed}: Guice runs it in the order the listeners were installed, so after ReboundModule's interceptor
 * (once per attempt) when installed after ReboundModule, before it (once per call) when installed before.
 */
class ListenerBoundInterceptor extends AbstractModule {

    private final Matcher<? super Method> methods;
    private final MethodInterceptor interceptor;

    ListenerBoundInterceptor(Matcher<? super Method> methods, MethodInterceptor interceptor) {
        this.methods = methods;
        this.interceptor = interceptor;
    }

    @Override
    protected void configure() {
        bindListener(Matchers.any(), new TypeListener() {
            @Override
            public <I> void hear(TypeLiteral<I> type, TypeEncounter<I> encounter) {
                encounter.bindInterceptor(methods, interceptor);
            }
        });
    }
}
