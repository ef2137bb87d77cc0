using System.Reflection;
using System.Reflection.Emit;
using Huren.Node.Hosting;

namespace Huren.Node.Tests.Architecture;

/// <summary>
/// The node's folders (namespaces) depend on each other in one direction only. Every type of the node assembly is
/// read by reflection: its base type, interfaces, fields, properties, method and constructor signatures, attributes,
/// locals, and every type, method and field its IL refers to (compiler-made closures and state machines count for the
/// namespace they are nested in). A reference that the table below does not allow fails the test, naming both ends.
/// </summary>
public class NamespaceDependencyTests
{
    private const string Root = "Huren.Node";

    /// <summary>Which node namespaces each namespace may use (besides itself). Read top to bottom: lower layers first.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Storage"] = [],
        ["Content"] = ["Storage"],
        ["Logs"] = ["Storage"],
        ["Network"] = ["Storage"],
        ["Anchoring"] = ["Logs", "Network", "Storage"],
        ["Ledger"] = ["Anchoring", "Logs", "Storage"],
        ["Checkpoints"] = ["Logs", "Network", "Storage"],
        ["Witness"] = ["Network", "Storage"],
        ["Auth"] = ["Network"],
        ["Mirrors"] = ["Ledger", "Logs", "Network", "Storage"],
        ["Recovery"] = ["Ledger", "Logs", "Mirrors", "Network", "Storage"],
        ["Services"] = ["Anchoring", "Auth", "Checkpoints", "Content", "Ledger", "Logs", "Mirrors", "Network", "Storage", "Witness"],
        ["CounterDesk"] = ["Auth", "Network", "Services"],
        ["Hosting"] = ["Anchoring", "Auth", "Checkpoints", "Content", "CounterDesk", "Ledger", "Logs", "Mirrors", "Network", "Recovery", "Services", "Storage", "Witness"],
    };

    private static readonly Dictionary<short, OpCode> OneByte = [];
    private static readonly Dictionary<short, OpCode> TwoByte = [];

    static NamespaceDependencyTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            if (code.Size == 1) OneByte[code.Value] = code;
            else TwoByte[(short)(code.Value & 0xff)] = code;
        }
    }

    private static string? AreaOf(Type? type)
    {
        while (type?.DeclaringType is not null) type = type.DeclaringType;
        var ns = type?.Namespace;
        if (ns is null || type!.Assembly != typeof(NodeApp).Assembly) return null;
        if (ns == Root) return "";
        return ns.StartsWith(Root + ".", StringComparison.Ordinal) ? ns[(Root.Length + 1)..].Split('.')[0] : null;
    }

    [Fact]
    public void Every_namespace_of_the_node_uses_only_the_namespaces_below_it()
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in typeof(NodeApp).Assembly.GetTypes())
        {
            var from = AreaOf(type);
            if (from is null) continue;
            seen.Add(from);
            Assert.True(Allowed.ContainsKey(from), $"namespace '{Root}.{from}' is not in the dependency table");
            foreach (var used in References(type))
            {
                var to = AreaOf(used);
                if (to is null || to == from || Allowed[from].Contains(to)) continue;
                violations.Add($"{type.FullName} ({from}) uses {used.FullName} ({to})");
            }
        }
        Assert.True(violations.Count == 0, "namespace dependencies against the table:\n" + string.Join("\n", violations));
        // The table names no folder that does not exist (a renamed folder must be renamed here too).
        foreach (var area in Allowed.Keys) Assert.Contains(area, seen);
    }

    [Fact]
    public void The_scan_sees_uses_inside_method_bodies()
    {
        // Sequencer's constructor body starts a task of its own loop; its IL names the appender's type only in bodies.
        var used = References(typeof(global::Huren.Node.Logs.LogAppender)).Select(t => t.FullName).ToHashSet();
        Assert.Contains(typeof(global::Huren.Node.Storage.StoreBatch).FullName, used);
        Assert.Contains(typeof(global::Huren.Node.Logs.AppendFailedException).FullName, used);
    }

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> References(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || !found.Add(t)) return;
            if (t.HasElementType) Add(t.GetElementType());
            if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) Add(a);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var a in type.GetCustomAttributesData()) Add(a.AttributeType);
        foreach (var f in type.GetFields(All)) Add(f.FieldType);
        foreach (var p in type.GetProperties(All)) Add(p.PropertyType);
        foreach (var e in type.GetEvents(All)) Add(e.EventHandlerType);
        var methods = type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All));
        foreach (var m in methods)
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            MethodBody? body;
            try
            {
                body = m.GetMethodBody();
            }
            catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException)
            {
                continue;
            }
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var t in IlReferences(m, body.GetILAsByteArray() ?? [])) Add(t);
        }
        return found;
    }

    /// <summary>The types named by the IL's type, method and field tokens.</summary>
    private static IEnumerable<Type> IlReferences(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            OpCode code;
            if (il[i] == 0xfe)
            {
                code = TwoByte[il[i + 1]];
                i += 2;
            }
            else code = OneByte[il[i++]];
            var size = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, i);
                MemberInfo? member = null;
                try
                {
                    member = module.ResolveMember(token, typeArgs, methodArgs);
                }
                catch (ArgumentException)
                {
                }
                switch (member)
                {
                    case Type t: yield return t; break;
                    case MethodBase mb:
                        if (mb.DeclaringType is { } d) yield return d;
                        if (mb is MethodInfo { IsGenericMethod: true } gm) foreach (var a in gm.GetGenericArguments()) yield return a;
                        break;
                    case FieldInfo f:
                        if (f.DeclaringType is { } fd) yield return fd;
                        yield return f.FieldType;
                        break;
                }
            }
            i += size;
        }
    }
}
