using System.Globalization;
using System.Reflection;
using System.Text;
using ProtoBuf;
using ProtoBuf.Meta;

namespace Huren.Schemas.Tests.Envelope;

/// <summary>
/// Reads the subset of the protobuf text format the canonical vectors use (scalar fields, enum names, quoted strings
/// with \x, octal and character escapes, nested messages in braces, repeated fields by repetition) into a protobuf-net
/// contract, by the proto field names of protobuf-net's model. For tests: it lets protobuf-net encode the very message
/// protoc encodes.
/// </summary>
internal sealed class TextFormat
{
    private readonly string _text;
    private int _at;

    private TextFormat(string text) => _text = text;

    public static T Parse<T>(string text) where T : new()
    {
        var reader = new TextFormat(text);
        var message = (T)reader.ReadMessage(typeof(T), endBrace: false);
        return message;
    }

    private object ReadMessage(Type type, bool endBrace)
    {
        var message = Activator.CreateInstance(type)!;
        var fields = RuntimeTypeModel.Default[type].GetFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (_at == _text.Length)
            {
                if (endBrace) throw new FormatException("missing '}'");
                return message;
            }
            if (_text[_at] == '}')
            {
                if (!endBrace) throw new FormatException($"unexpected '}}' at {_at}");
                _at++;
                return message;
            }
            var name = ReadIdentifier();
            if (!fields.TryGetValue(name, out var field)) throw new FormatException($"{type.Name} has no field '{name}'");
            var property = (PropertyInfo)field.Member;
            var repeated = field.ItemType is not null && field.MemberType != typeof(byte[]);
            var valueType = repeated ? field.ItemType! : field.MemberType;
            SkipSpace();
            object value;
            if (_text[_at] == '{')
            {
                _at++;
                value = ReadMessage(valueType, endBrace: true);
            }
            else
            {
                Expect(':');
                value = ReadScalar(valueType);
            }
            if (repeated) ((System.Collections.IList)property.GetValue(message)!).Add(value);
            else property.SetValue(message, value);
        }
    }

    private object ReadScalar(Type type)
    {
        SkipSpace();
        if (type == typeof(string)) return Encoding.UTF8.GetString(ReadQuoted());
        if (type == typeof(byte[])) return ReadQuoted();
        var token = ReadIdentifier();
        if (type == typeof(bool)) return bool.Parse(token);
        if (type.IsEnum)
        {
            foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                if (f.GetCustomAttribute<ProtoEnumAttribute>()?.Name == token) return f.GetValue(null)!;
            }
            throw new FormatException($"{type.Name} has no value {token}");
        }
        return Convert.ChangeType(token, type, CultureInfo.InvariantCulture);
    }

    private byte[] ReadQuoted()
    {
        Expect('"');
        var bytes = new List<byte>();
        while (_text[_at] != '"')
        {
            var c = _text[_at++];
            if (c != '\\')
            {
                var end = char.IsHighSurrogate(c) ? 2 : 1;
                bytes.AddRange(Encoding.UTF8.GetBytes(_text.Substring(_at - 1, end)));
                _at += end - 1;
                continue;
            }
            var e = _text[_at++];
            switch (e)
            {
                case 'x':
                    var hex = 0;
                    while (hex < 2 && Uri.IsHexDigit(_text[_at + hex])) hex++;
                    bytes.Add(byte.Parse(_text.AsSpan(_at, hex), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    _at += hex;
                    break;
                case >= '0' and <= '7':
                    var octal = e - '0';
                    for (var i = 0; i < 2 && _text[_at] is >= '0' and <= '7'; i++) octal = (octal * 8) + (_text[_at++] - '0');
                    bytes.Add((byte)octal);
                    break;
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case '"' or '\'' or '\\': bytes.Add((byte)e); break;
                default: throw new FormatException($"unsupported escape \\{e}");
            }
        }
        _at++;
        return [.. bytes];
    }

    private string ReadIdentifier()
    {
        var start = _at;
        while (_at < _text.Length && (char.IsAsciiLetterOrDigit(_text[_at]) || _text[_at] is '_' or '-' or '.')) _at++;
        if (_at == start) throw new FormatException($"expected a name or value at {start}");
        return _text[start.._at];
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (_at >= _text.Length || _text[_at] != c) throw new FormatException($"expected '{c}' at {_at}");
        _at++;
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at])) _at++;
    }
}
