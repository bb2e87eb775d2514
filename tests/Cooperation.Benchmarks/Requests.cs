namespace Cooperation.Benchmarks;

/// <summary>One request as the load's operations send it: null when it was answered 2xx, else what went wrong.</summary>
public static class Requests
{
    private const int BodyShown = 300;

    /// <summary>Sends the request and reads the whole answer (its time counts); disposes the request.</summary>
    public static async Task<string?> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            var what = $"{request.Method} {request.RequestUri}";
            try
            {
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                return response.IsSuccessStatusCode ? null : $"{what}: {(int)response.StatusCode} {body[..Math.Min(body.Length, BodyShown)]}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return $"{what}: {e.GetType().Name} {e.Message}";
            }
        }
    }
}
