# frozen_string_literal: true

# Performs one conformance scenario's steps with UniFFI's generated Ruby bindings.
#
# The adapter reports what happened and never judges (docs/runner-protocol.md). UniFFI's Ruby
# bindings block the calling Thread until the future is ready (the generated
# uniffi_rust_call_async waits on a pipe the continuation writes to), so every awaited call runs
# on a Thread of its own: concurrency is Ruby Threads, a deadline is Thread#join with a timeout,
# and cancellation is Ruby's own Thread#raise into the awaiting Thread (what Timeout.timeout
# does), which the generated code answers in its ensure block with rust_future_cancel, a drain
# of the continuation and rust_future_free.
require 'json'
require_relative 'generated'

module UniffiAdapter
  # Raised into an awaiting Thread by the cancel step (and at cleanup): Ruby's cancellation.
  class Cancelled < StandardError; end

  # The step cannot finish (timeout, adapter failure): later steps are skipped.
  class StepAbort < StandardError
    attr_reader :outcome

    def initialize(outcome)
      super(outcome.to_s)
      @outcome = outcome
    end
  end

  # A call running on a Thread of its own; `result` is [:value, v] or [:raised, exception].
  class Task
    attr_reader :thread, :spec
    attr_accessor :result

    # The Thread starts with every interrupt deferred (a new Thread inherits its creator's
    # handle_interrupt mask) and accepts them only inside the rescue: a Thread#raise (a cancel)
    # that lands before the Thread ran its first line would otherwise end the Thread with the
    # exception unrescued, and join would re-raise it into the scenario (the adapter's own
    # Cancelled escaping a cancel_sweep step; docs/findings.md, "Fixed in our suite").
    def initialize(spec, &body)
      @spec = spec
      @thread = Thread.handle_interrupt(Exception => :never) do
        Thread.new do
          Thread.current.report_on_exception = false
          Thread.handle_interrupt(Exception => :immediate) { @result = [:value, body.call] }
        rescue Exception => e # rubocop:disable Lint/RescueException: reported, never swallowed
          @result = [:raised, e]
        end
      end
    end

    def done?
      !@thread.alive?
    end
  end

  # A Ruby implementation of a callback interface, handed to the generated code as any user's
  # object would be. Its methods follow declared behaviours:
  # {"delay_ms": n | {"$arg": name}, "result": "value" | "error" | "exception" | "never" | "call",
  #  "value": v | {"$arg": name} | {"$format": "..."}, "error": {...}, "message": str}.
  class ForeignObject
    attr_reader :stats

    def initialize(run, gen, decl, behaviours, types)
      @stats = {}
      @lock = Mutex.new
      decl.fetch('methods').each do |method|
        name = method['name']
        spec = behaviours.fetch(name, { 'result' => 'exception', 'message' => 'not implemented' })
        @stats[name] = { 'started' => 0, 'completed' => 0, 'failed' => 0, 'cancelled' => 0, 'threads' => [] }
        define_behaviour(run, gen, method, spec, types)
      end
    end

    def snapshot(method)
      @lock.synchronize { @stats.fetch(method).transform_values { |v| v.is_a?(Array) ? v.dup : v } }
    end

    private

    def count(method, key)
      @lock.synchronize { @stats[method][key] += 1 }
    end

    def define_behaviour(run, gen, method, spec, types)
      name = method['name']
      arg_names = (method['args'] || []).map { |a| a['name'] }
      is_async = method['async']
      this = self
      lock = @lock
      stats = @stats
      define_singleton_method(name) do |*args|
        named = arg_names.zip(args).to_h
        lock.synchronize do
          stats[name]['started'] += 1
          stats[name]['threads'] << (Thread.current == run.main_thread ? 'main' : 'other') if is_async
        end
        begin
          delay = UniffiAdapter.resolve(spec.fetch('delay_ms', 0), named)
          sleep(delay * run.time_scale / 1000.0) if is_async && delay.to_f.positive?
          sleep if is_async && spec['result'] == 'never' # until the generated code's Thread#raise
          value = if spec['result'] == 'call' # re-enter the producer, then adjust
                    call = spec['call'].merge('args' => (spec['call']['args'] || []).map { |a| UniffiAdapter.resolve(a, named, this) })
                    run.call(call) + spec.fetch('plus', 0)
                  else
                    UniffiAdapter.produce(gen, spec, method, named, types)
                  end
        rescue Exception => e # rubocop:disable Lint/RescueException: counted and re-raised
          count(name, e.class.name.to_s.end_with?('UniffiInternalCancelled') ? 'cancelled' : 'failed')
          raise
        end
        count(name, 'completed')
        value
      end
    end
  end

  # Where a Thread is: the innermost lines of its backtrace, file names without folders.
  def self.where(thread)
    (thread.backtrace || []).first(4).map { |l| l.sub(%r{\A.*/}, '') }.join(' < ')
  end

  def self.resolve(template, named, this = nil)
    return template unless template.is_a?(Hash)

    if template.key?('$arg')
      value = named.fetch(template['$arg'])
      return template.key?('plus') ? value + template['plus'] : value
    end
    return this if template.key?('$self')
    return template['$format'].gsub(/\{(\w+)\}/) { named.fetch(Regexp.last_match(1)).to_s } if template.key?('$format')

    template
  end

  def self.produce(gen, spec, method, named, types)
    case spec.fetch('result', 'value')
    when 'value' then gen.to_binding(resolve(spec['value'], named), method['return'], types)
    when 'error' then raise gen.make_error(method['throws'], resolve(spec['error'], named))
    when 'exception' then raise spec.fetch('message', 'unexpected exception from the foreign side')
    else raise ArgumentError, "unknown behaviour result #{spec['result'].inspect}"
    end
  end

  # One scenario. `generated` maps fixture names to Generated bindings, `interfaces` to their
  # interface.json.
  class ScenarioRun
    attr_reader :main_thread, :time_scale

    def initialize(scenario, generated, interfaces, time_scale)
      @scenario = scenario
      @generated = generated
      @interfaces = interfaces
      @time_scale = time_scale
      @default_fixture = scenario['fixtures'].first
      @vars = {}
      @tasks = {}
      @outcomes = []
      @step_timeout = scenario.fetch('step_timeout_ms', 3000) / 1000.0 * [time_scale, 1.0 / 3].max
      @main_thread = Thread.current
    end

    def run
      aborted = nil
      @scenario['steps'].each_with_index do |step, index|
        if aborted
          @outcomes << { 'step' => index, 'do' => step['do'], 'skipped' => aborted }
          next
        end
        start = UniffiAdapter.now
        begin
          handler = "step_#{step['do']}"
          raise AdapterError, "unknown step #{step['do'].inspect}" unless respond_to?(handler, true)

          outcome = send(handler, step)
        rescue StepAbort => e
          outcome = e.outcome
          aborted = outcome.key?('failure') ? "step #{index} failed in the runner" : "step #{index} did not finish"
        rescue StandardError => e
          outcome = { 'failure' => "#{e.class}: #{e.message}", 'exception' => e.class.name }
          aborted = "step #{index} failed in the runner"
        end
        outcome['elapsed_ms'] ||= UniffiAdapter.ms_since(start)
        outcome['step'] = index
        outcome['do'] = step['do']
        @outcomes << outcome
      end
      cleanup
      @outcomes
    end

    # What the generated code still holds is released as a collector would, before the
    # monitor's end: parked tasks are cancelled, saved objects unreferenced, then GC.start (the
    # generated objects free their handles in finalizers).
    def cleanup
      @tasks.each_value { |task| task.thread.raise(Cancelled, 'scenario ended') unless task.done? }
      @tasks.each_value { |task| task.thread.join(@step_timeout) }
      @tasks.clear
      @vars.clear
      collect
      sleep(0.01)
    end

    def collect
      GC.start(full_mark: true, immediate_sweep: true)
      GC.start(full_mark: true, immediate_sweep: true)
    end

    # --- calls ---------------------------------------------------------------------------------
    def gen_for(spec)
      @generated.fetch(spec.fetch('fixture', @default_fixture))
    end

    def types_for(spec)
      @interfaces.fetch(spec.fetch('fixture', @default_fixture)).fetch('types')
    end

    def decl_for(spec)
      function = spec.fetch('function')
      type, member = function.include?('.') ? function.split('.', 2) : [nil, function]
      @interfaces.fetch(spec.fetch('fixture', @default_fixture)).fetch('functions').find do |f|
        f['name'] == member && (type.nil? ? !(f['receiver'] || f['constructor']) : [f['receiver'], f['constructor']].include?(type))
      end
    end

    def lookup_var(ref)
      name, *path = ref.split('.')
      value = @vars.fetch(name)
      path.each { |part| value = value.is_a?(Array) ? value[Integer(part)] : value[part] }
      value
    end

    def value_of(value)
      case value
      when Hash then value.keys == ['$ref'] ? lookup_var(value['$ref']) : value.transform_values { |v| value_of(v) }
      when Array then value.map { |v| value_of(v) }
      else value
      end
    end

    # One call through the generated API, on the current Thread; returns its value.
    def call(spec, on_code = nil)
      prepare(spec, on_code).call
    end

    # The call as a closure, its receiver and arguments resolved now (a spawned call holds its
    # receiver from the spawn on, as an awaiting task in another language would).
    def prepare(spec, on_code = nil)
      gen = gen_for(spec)
      decl = decl_for(spec)
      receiver = spec.key?('receiver') ? lookup_var(spec['receiver']) : nil
      fn = gen.callable(spec.fetch('function'), receiver)
      types = types_for(spec)
      arg_types = (decl && decl['args'] || []).map { |a| a['type'] }
      args = (spec['args'] || []).each_with_index.map { |a, i| gen.to_binding(value_of(a), arg_types[i], types) }
      if spec.fetch('on', 'loop') == 'executor' && decl && decl['async']
        raise ArgumentError, 'an async export cannot be awaited on a thread with no loop'
      end
      return -> { fn.call(*args) } if on_code.nil?

      -> { gen.observe_codes(on_code) { fn.call(*args) } }
    end

    # "loop", "second_loop" and "executor" are all a Thread of the call's own: the generated
    # code blocks the Thread it is called on, whatever Thread that is.
    def start(spec, on_code = nil)
      where = spec.fetch('on', 'loop')
      raise AdapterError, "unknown 'on': #{where.inspect}" unless %w[loop second_loop executor].include?(where)

      invoke = prepare(spec, on_code)
      Task.new(spec) { invoke.call }
    end

    def outcome_of(task, deadline: @step_timeout, cancel_on_timeout: true)
      start = UniffiAdapter.now
      unless task.thread.join(deadline)
        cancel_all([task], 'step deadline') if cancel_on_timeout
        raise StepAbort, { 'timeout' => true, 'exception' => 'Timeout', 'elapsed_ms' => UniffiAdapter.ms_since(start) }
      end
      kind, payload = task.result
      spec = task.spec
      outcome = if kind == :value
                  @vars[spec['save']] = payload if spec.key?('save')
                  { 'value' => UniffiAdapter.to_json(payload) }
                else
                  exception_outcome(payload, spec)
                end
      raise StepAbort, outcome if outcome.key?('failure')

      outcome['elapsed_ms'] = UniffiAdapter.ms_since(start)
      outcome
    end

    # Cancels what a deadline abandons and waits (bounded) for the generated code's ensure
    # blocks to cancel and free their futures, as asyncio.wait_for waits for the cancelled task.
    def cancel_all(tasks, why)
      tasks.each { |t| t.thread.raise(Cancelled, why) unless t.done? }
      until_time = UniffiAdapter.now + @step_timeout
      tasks.each { |t| t.thread.join([until_time - UniffiAdapter.now, 0].max) }
    end

    def exception_outcome(exc, spec)
      name = exc.class.name.to_s
      return { 'cancelled' => true, 'exception' => name } if exc.is_a?(Cancelled)
      return { 'failure' => "#{name}: #{exc.message}", 'exception' => name } if exc.is_a?(AdapterError)

      gens = [gen_for(spec)] + @generated.values
      gens.each do |gen|
        return { 'unexpected' => exc.message, 'exception' => name } if gen.internal_error?(exc)
        if gen.typed_error?(exc, @interfaces.fetch(gen.fixture).fetch('types'))
          return { 'error' => gen.describe_error(exc), 'exception' => name }
        end
      end
      warn "uniffi-ruby: #{name}: #{exc.message}\n#{exc.backtrace&.first(6)&.join("\n")}"
      { 'failure' => "the generated binding raised #{name}: #{exc.message}", 'exception' => name }
    end

    # --- steps ---------------------------------------------------------------------------------
    def step_call(step)
      outcome_of(start(step))
    end

    def step_spawn(step)
      spec = step.fetch('call')
      @tasks[step.fetch('task')] = start(spec)
      Thread.pass # let the task make its first poll
      { 'value' => nil }
    end

    def step_await(step)
      outcome_of(@tasks.fetch(step.fetch('task')), cancel_on_timeout: false)
    end

    # Every call concurrently, each on its own Thread; a call with "count": N runs N times and
    # is reported once, as its distinct outcomes with how many times each occurred.
    def step_gather(step)
      order = []
      lock = Mutex.new
      start_time = UniffiAdapter.now
      groups = step.fetch('calls').map do |spec|
        label = spec.fetch('label', spec['function'])
        tasks = Array.new(spec.fetch('count', 1)) do
          Task.new(spec) do
            value = call(spec)
            lock.synchronize { order << label unless order.include?(label) }
            value
          rescue Exception # rubocop:disable Lint/RescueException: the order, then re-raised
            lock.synchronize { order << label unless order.include?(label) }
            raise
          end
        end
        [spec, label, tasks]
      end
      deadline = UniffiAdapter.now + @step_timeout * 2
      groups.each do |_, _, tasks|
        tasks.each do |task|
          next if task.thread.join([deadline - UniffiAdapter.now, 0].max)

          cancel_all(groups.flat_map { |_, _, ts| ts }, 'gather deadline')
          raise StepAbort, { 'timeout' => true, 'exception' => 'Timeout', 'order' => lock.synchronize { order.dup } }
        end
      end
      results = groups.map { |spec, label, tasks| group_result(spec, label, tasks) }
      { 'results' => results, 'order' => order, 'elapsed_ms' => UniffiAdapter.ms_since(start_time) }
    end

    def group_result(spec, label, tasks)
      outcomes = tasks.map do |task|
        outcome_of(task, deadline: 0)
      rescue StepAbort => e
        e.outcome
      end
      return outcomes.first.merge('label' => label) if tasks.length == 1

      distinct = {}
      outcomes.each do |outcome|
        elapsed = outcome.delete('elapsed_ms') || 0.0
        entry = (distinct[JSON.generate(outcome.sort.to_h)] ||= outcome.merge('times' => 0, 'elapsed_ms' => 0.0))
        entry['times'] += 1
        entry['elapsed_ms'] = [entry['elapsed_ms'], elapsed].max
      end
      { 'label' => label, 'count' => tasks.length, 'distinct' => distinct.values,
        'elapsed_ms' => distinct.values.map { |d| d['elapsed_ms'] }.max }
    end

    # Ruby's own cancellation: Thread#raise into the Thread blocked in the generated call.
    def step_cancel(step)
      woke = false
      if step.key?('task')
        task = @tasks.fetch(step['task'])
      else
        wake = gen_for(step.fetch('call')).poll_code(:UNIFFI_RUST_FUTURE_POLL_WAKE)
        on_code = step['after'] == 'first_wake' ? ->(code) { woke = true if code == wake } : nil
        task = start(step.fetch('call'), on_code)
      end
      if step['after'] == 'first_wake'
        deadline = UniffiAdapter.now + @step_timeout
        sleep(0.0005) until woke || task.done? || UniffiAdapter.now > deadline
        unless woke || task.done?
          task.thread.raise(Cancelled, 'no WAKE')
          raise StepAbort, { 'timeout' => true, 'exception' => 'Timeout', 'message' => 'no WAKE arrived before the deadline' }
        end
      else
        sleep(step.fetch('after_ms', 0) * @time_scale / 1000.0)
      end
      was_done = task.done?
      task.thread.raise(Cancelled, 'cancelled by the scenario') unless was_done
      start_time = UniffiAdapter.now
      unless task.thread.join(@step_timeout)
        where = UniffiAdapter.where(task.thread)
        warn "uniffi-ruby: the cancelled Thread is stuck at #{where}"
        raise StepAbort, { 'timeout' => true, 'exception' => 'Timeout',
                           'message' => "the cancelled task did not finish (its Thread is at #{where})" }
      end
      outcome = outcome_of(task)
      outcome['finished_before_cancel'] = was_done
      outcome['cancel_latency_ms'] = UniffiAdapter.ms_since(start_time)
      outcome
    end

    # `count` runs of `call`, one after the other, each cancelled with Thread#raise around the
    # moment the producer answers: every third run just after the generated continuation wrote
    # READY into the awaiting Thread's pipe (before that Thread read it: the tightest race with
    # completion), the others after an offset swept evenly from around_ms - spread_ms to
    # around_ms + spread_ms (scaled).
    def step_cancel_sweep(step)
      spec = step.fetch('call')
      count = step.fetch('count')
      around = step.fetch('around_ms', 0.0)
      spread = step.fetch('spread_ms', 0.0)
      ready = gen_for(spec).poll_code(:UNIFFI_RUST_FUTURE_POLL_READY)
      landed = { 'before_answer' => 0, 'at_answer' => 0, 'after_completion' => 0 }
      distinct = {}
      start_time = UniffiAdapter.now
      count.times do |i|
        hook = (i % 3).zero?
        run = { task: nil, cancelled: false, lock: Mutex.new }
        on_code = lambda do |code|
          next unless hook && code == ready

          run[:lock].synchronize do
            task = run[:task]
            next if run[:cancelled] || task.nil? || task.done?

            run[:cancelled] = true
            task.thread.raise(Cancelled, 'cancelled at the answer')
          end
        end
        run[:lock].synchronize { run[:task] = start(spec, on_code) }
        task = run[:task]
        unless hook
          offset = around - spread + 2 * spread * i / [count - 1, 1].max.to_f
          sleep([offset, 0.0].max * @time_scale / 1000.0)
          run[:lock].synchronize do
            unless task.done?
              run[:cancelled] = true
              task.thread.raise(Cancelled, 'cancelled by the sweep')
              landed['before_answer'] += 1
            end
          end
        end
        unless task.thread.join(@step_timeout)
          where = UniffiAdapter.where(task.thread)
          warn "uniffi-ruby: run #{i} of the sweep is stuck at #{where}"
          cancel_all([task], 'sweep deadline')
          raise StepAbort, { 'timeout' => true, 'exception' => 'Timeout', 'landed' => landed,
                             'message' => "run #{i} of the sweep did not finish (its Thread is at #{where})" }
        end
        if hook
          landed[run[:cancelled] ? 'at_answer' : 'after_completion'] += 1
        elsif !run[:cancelled]
          landed['after_completion'] += 1
        end
        outcome = outcome_of(task, deadline: 0)
        outcome.delete('elapsed_ms')
        (distinct[JSON.generate(outcome.sort.to_h)] ||= outcome.merge('times' => 0))['times'] += 1
      end
      { 'value' => { 'runs' => count, 'landed' => landed }, 'distinct' => distinct.values,
        'elapsed_ms' => UniffiAdapter.ms_since(start_time) }
    end

    def step_implement(step)
      fixture = step.fetch('fixture', @default_fixture)
      types = @interfaces.fetch(fixture).fetch('types')
      decl = types.fetch(step.fetch('interface'))
      @vars[step.fetch('save')] = ForeignObject.new(self, @generated.fetch(fixture), decl, step.fetch('methods'), types)
      { 'value' => nil }
    end

    def step_drop(step)
      @vars.delete(step.fetch('value')) # the generated object frees its handle when collected
      collect
      { 'value' => nil }
    end

    # A forced full collection while the scenario's tasks stay parked: GC.start (finalizers run
    # as Ruby runs them, after the sweep).
    def step_collect_garbage(_step)
      before = GC.stat(:total_freed_objects)
      collect
      Thread.pass
      { 'value' => nil, 'collected' => GC.stat(:total_freed_objects) - before }
    end

    def step_sleep(step)
      sleep(step.fetch('ms') * @time_scale / 1000.0)
      { 'value' => nil }
    end

    def step_check_foreign(step)
      object = @vars.fetch(step.fetch('object'))
      method = step.fetch('method')
      want = step.fetch('expect', {})
      deadline = UniffiAdapter.now + step.fetch('within_ms', 0) * @time_scale / 1000.0 + 0.05
      stats = object.snapshot(method)
      while UniffiAdapter.now < deadline
        break if want.all? { |k, v| stats[k] == v }

        sleep(0.005)
        stats = object.snapshot(method)
      end
      { 'value' => stats.reject { |k, _| k == 'threads' }, 'threads' => stats['threads'] }
    end
  end
end
