using Huren.Node.Network;
using Huren.Node.Tests.Witness;
using Huren.Sdk.Network;

namespace Huren.Node.Tests.Network;

/// <summary>
/// <see cref="NetworkView.Changed"/> announces versions in order: a version adopted while another is being announced
/// (here by a subscriber itself) is not followed, for the subscribers still to be told, by the older one, so what a
/// subscriber keeps from the version it is given (root keys, mirrors) is the newest.
/// </summary>
public sealed class NetworkViewTests
{
    private readonly TestCity _changsha = new("430100", withSm2: false);
    private readonly TestCity _zhuzhou = new("430200", withSm2: false);

    // Told apart by name: Adopt takes a version without the chain check, as tests of what reacts to a change do.
    private NetworkConfig Version(int n)
        => new() { NetworkId = WitnessFixture.NetworkId, Name = $"{n}", WitnessThreshold = 1, Members = [_changsha.Member(), _zhuzhou.Member()] };

    private static int Number(TrustedNetwork config) => int.Parse(config.Config.Name, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_version_adopted_during_an_announcement_is_not_followed_by_the_older_one()
    {
        var view = new NetworkView(Version(1));
        var seen = new List<int>();
        var adopting = true;
        view.Changed += config =>
        {
            // The first subscriber, told of version 2, puts version 3 in force (as a concurrent adoption would).
            if (Number(config) == 2 && adopting)
            {
                adopting = false;
                view.Adopt(Version(3));
            }
        };
        view.Changed += config => seen.Add(Number(config));

        view.Adopt(Version(2));

        Assert.Equal(3, Number(view.Current!));
        Assert.Equal(3, seen[^1]);
        Assert.Equal(seen.Order(), seen);
    }
}
