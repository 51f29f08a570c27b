package dev.rebound.it;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import dev.rebound.weaver.guice.ReboundModule;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.framework.ProxyFactory;

/** The doors and containers the tests put in front of an object, made as an application makes them. */
final class Doors {

    private Doors() {
    }

    /** What {@code ReboundModule.wrapping(...)} provides for {@code bound}, bound as an instance of {@code type}. */
    static <T> T wrappedByGuice(Class<T> type, T bound) {
        return Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(type).toInstance(bound);
            }
        })).getInstance(type);
    }

    /** A Spring JDK proxy of {@code target} by {@code type} alone, over it as its fixed target, with one advice. */
    static <T> T springProxy(Class<T> type, T target) {
        ProxyFactory factory = new ProxyFactory(target);
        factory.setInterfaces(type);
        factory.addAdvice((MethodInterceptor) invocation -> invocation.proceed());
        return type.cast(factory.getProxy());
    }
}
