# The reference renderer for the differential Liquid tests: Shopify's Ruby Liquid with
# ActiveSupport loaded, as Braze runs it inside Rails, on a UTC clock.
#
# Reads one JSON object a line on stdin: {"id", "template", "context", "now"} where "now" is
# epoch seconds (what `now`/`today` mean) or null; writes one JSON object a line on stdout:
# {"id", "output"} when it renders, {"id", "error", "kind"} when Ruby Liquid refuses (parse or
# render error, in lax mode as Braze parses), with "lax_output": the text Liquid's forgiving
# `render` would show. Every text but the id is Base64 of its bytes.
ENV["TZ"] = "UTC"
require "base64"
require "json"
require "timeout"
require "active_support"
require "active_support/core_ext"
require "liquid"

Liquid::Template.error_mode = :lax
$stdout.sync = true

# `now` and `today` in the date filter read Time.now: pin it per case.
class << Time
  alias_method :oracle_real_now, :now
  def now(*args, **kwargs)
    $oracle_now ? Time.at($oracle_now).utc : oracle_real_now(*args, **kwargs)
  end
end

# Text goes back as Base64 of its bytes, so output that is not UTF-8 compares byte for byte.
def reply(hash)
  hash = hash.to_h { |k, v| v.is_a?(String) && k != "id" ? [k, Base64.strict_encode64(v.b)] : [k, v] }
  $stdout.puts(JSON.generate(hash))
end

$stdin.each_line do |raw|
  case_ = JSON.parse(raw)
  $oracle_now = case_["now"]
  begin
    Timeout.timeout(5) do
      template = Liquid::Template.parse(case_["template"])
      output = template.render!(case_["context"] || {}, strict_variables: false, strict_filters: false)
      reply({ "id" => case_["id"], "output" => output })
    end
  rescue Liquid::Error, StandardError, SystemStackError, Timeout::Error => e
    lax = begin
      Liquid::Template.parse(case_["template"]).render(case_["context"] || {})
    rescue Exception => e2
      nil
    end
    reply({ "id" => case_["id"], "error" => e.message.to_s, "kind" => e.class.name.to_sym, "lax_output" => lax })
  end
end
