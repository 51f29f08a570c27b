package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.multibindings.MapBinderBinding;
import com.google.inject.multibindings.MultibinderBinding;
import com.google.inject.multibindings.MultibindingsTargetVisitor;
import com.google.inject.multibindings.OptionalBinderBinding;
import com.google.inject.spi.DefaultBindingTargetVisitor;
import com.google.inject.spi.Element;
import com.google.inject.spi.PrivateElements;
import java.util.ArrayList;
import java.util.List;

/**
 * The bindings Guice's {@code MapBinder}, {@code Multibinder} and {@code OptionalBinder} make for
 * themselves (the map, the set, the optional, a map's {@code Map.Entry<K, Provider<V>>} per entry, the
 * binding of an optional's type), found through Guice's multibindings SPI in a module's elements. They
 * belong to the extension, which reads them back as its own, so {@link ReboundModule#wrapping} never
 * rewrites them; the values a module adds ({@code addBinding()}, {@code setDefault()},
 * {@code setBinding()}, {@code @ProvidesIntoMap}/{@code Set}/{@code Optional}) are the user's bindings, and
 * are wrapped as any binding is.
 */
final class MultibinderParts {

    /** Each multibinding of the elements: a {@link MapBinderBinding}, {@link MultibinderBinding} or {@link OptionalBinderBinding}. */
    private final List<Object> multibindings = new ArrayList<>();

    /** The multibindings among {@code elements}, those of their private modules included. */
    MultibinderParts(List<Element> elements) {
        collect(elements);
    }

    private void collect(List<Element> elements) {
        for (Element element : elements) {
            if (element instanceof PrivateElements) {
                collect(((PrivateElements) element).getElements());
            } else if (element instanceof Binding<?>) {
                Object multibinding = ((Binding<?>) element).acceptTargetVisitor(Finder.INSTANCE);
                if (multibinding != null) {
                    multibindings.add(multibinding);
                }
            }
        }
    }

    /** Whether {@code binding} is one a multibinding makes for itself, not a value a module added to it. */
    boolean isOwnBinding(Binding<?> binding) {
        for (Object m : multibindings) {
            if (ownBinding(m, binding)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The qualifier of {@code binding} as the application wrote it ({@link #qualifierOf(Key)}); for a value an
     * {@code OptionalBinder} was given ({@code setDefault()}, {@code setBinding()}), whose key carries one of
     * Guice's own annotations, the qualifier of the optional binder's key ({@code @Named("openai")} of
     * {@code newOptionalBinder(binder, Key.get(Chat.class, Names.named("openai")))}), under which the application
     * gets the value. A {@code Multibinder}'s or {@code MapBinder}'s element carries none of the application's.
     */
    Object qualifierOf(Binding<?> binding) {
        Key<?> key = binding.getKey();
        if (!ofGuice(key)) {
            return qualifierOf(key);
        }
        for (Object m : multibindings) {
            if (m instanceof OptionalBinderBinding<?> optional && optional.containsElement(binding)) {
                return qualifierOf(optional.getKey());
            }
        }
        return null;
    }

    /**
     * Whether {@code binding} is an {@code OptionalBinder}'s {@code setDefault()} value that its {@code setBinding()}
     * overrides in {@code injector}: never provided. Asked of the injector's optional binding (the one found among
     * elements cannot tell its default from its actual value).
     */
    boolean overriddenDefault(Binding<?> binding, Injector injector) {
        for (Object m : multibindings) {
            if (m instanceof OptionalBinderBinding<?> optional && optional.containsElement(binding)) {
                Binding<?> made = injector.getExistingBinding(optional.getKey());
                if (made != null && made.acceptTargetVisitor(Finder.INSTANCE) instanceof OptionalBinderBinding<?> live) {
                    Binding<?> fallback = live.getDefaultBinding();
                    return live.getActualBinding() != null && fallback != null
                            && fallback.getKey().equals(binding.getKey());
                }
            }
        }
        return false;
    }

    /**
     * The qualifier of the binding {@code key} as the application wrote it: its binding annotation
     * ({@code @Named("openai")}), or its annotation type for a binding by type alone; null without one, for one of
     * Guice's own, which tells nothing that is the same from run to run, and for the key ReboundModule.wrapping
     * moved a binding's target to. Events and the fleet's keys name the binding's instances with it.
     */
    static Object qualifierOf(Key<?> key) {
        if (key.getAnnotationType() == null || ofGuice(key) || UncoveredBindings.isOriginal(key)) {
            return null;
        }
        return key.getAnnotation() != null ? key.getAnnotation() : key.getAnnotationType();
    }

    /** Whether {@code key}'s annotation is one of Guice's own (a multibinder's element, an optional binder's value). */
    private static boolean ofGuice(Key<?> key) {
        return key.getAnnotationType() != null && key.getAnnotationType().getName().startsWith("com.google.inject.internal.");
    }

    private static boolean ownBinding(Object multibinding, Binding<?> binding) {
        Key<?> key = binding.getKey();
        if (multibinding instanceof MapBinderBinding<?> map) {
            return map.containsElement(binding) && !key.getTypeLiteral().equals(map.getValueTypeLiteral());
        }
        if (multibinding instanceof MultibinderBinding<?> set) {
            return set.containsElement(binding) && !key.getTypeLiteral().equals(set.getElementTypeLiteral());
        }
        OptionalBinderBinding<?> optional = (OptionalBinderBinding<?>) multibinding;
        // its own bindings carry the optional's annotation (Optional<T>, T itself); a default or an actual value
        // carries one of Guice's
        return optional.containsElement(binding) && optional.getKey().ofType(key.getTypeLiteral()).equals(key);
    }

    /** Gives the multibinding a binding is, or null. */
    private static final class Finder extends DefaultBindingTargetVisitor<Object, Object>
            implements MultibindingsTargetVisitor<Object, Object> {

        static final Finder INSTANCE = new Finder();

        @Override
        public Object visit(MultibinderBinding<?> multibinding) {
            return multibinding;
        }

        @Override
        public Object visit(MapBinderBinding<?> mapbinding) {
            return mapbinding;
        }

        @Override
        public Object visit(OptionalBinderBinding<?> optionalbinding) {
            return optionalbinding;
        }
    }
}
