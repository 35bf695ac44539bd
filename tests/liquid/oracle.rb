# The reference renderer for the differential Liquid tests: Shopify's Ruby Liquid with
# ActiveSupport loaded, as Braze runs it inside Rails, on a UTC clock.
#
# Reads one JSON object a line on stdin: {"id", "template", "context", "now", "mode"} where
# "now" is epoch seconds (what `now`/`today` mean) or null and "mode" an error mode (lax,
# Braze's, when absent); writes one JSON object a line on stdout, with "warnings" (the lines
# Ruby's warn mode flags) in warn mode:
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
  mode = (case_["mode"] || "lax").to_sym
  answer = { "id" => case_["id"] }
  begin
    Timeout.timeout(5) do
      template = Liquid::Template.parse(case_["template"], error_mode: mode, line_numbers: true)
      answer["warnings"] = template.warnings.map(&:line_number) if mode == :warn
      # the emulator's strict mode is Ruby's strict parsing with strict filters
      answer["output"] = template.render!(case_["context"] || {}, strict_variables: false, strict_filters: mode == :strict)
    end
  rescue Liquid::Error, StandardError, SystemStackError, Timeout::Error => e
    answer["error"] = e.message.to_s
    answer["kind"] = e.class.name.to_sym
    answer["lax_output"] = begin
      Liquid::Template.parse(case_["template"], error_mode: mode).render(case_["context"] || {})
    rescue Exception
      nil
    end
  end
  reply(answer)
end
