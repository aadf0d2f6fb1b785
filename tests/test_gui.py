"""The GUI demos: their networks, their layouts, the command, and a real browser.

The browser test drives headless Chromium (Debian's ``chromium`` and
``chromium-driver``) with selenium; it is skipped, saying why, where either
or nengo-gui is missing. Only localhost is contacted.
"""

import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.gui.models import (
    DelayLine,
    learn_delay_model,
    learn_product_model,
    mackey_glass_model,
)
from nengo_lmu.gui.server import GUI_DEMOS, demo_script, make_gui

MODELS = {
    "learn-delay": learn_delay_model,
    "learn-product": learn_product_model,
    "mackey-glass": mackey_glass_model,
}
#: set to a path to save the browser test's screenshot there (the docs' is taken so)
SCREENSHOT_VAR = "NENGO_LMU_GUI_SCREENSHOT"


def test_delay_line_reads_the_past_and_forgets_it_on_reset():
    line = DelayLine(3, dt=0.001)
    for step in range(1, 7):
        line.write(step * 0.001, [float(step)])
    assert line.read(0.006, 3) == 3.0
    assert line.read(0.006, 0) == 6.0
    assert line.read(0.002, 3) == 0.0  # before anything that old was written
    line.write(0.001, [9.0])  # nengo-gui's reset: time starts again
    assert line.read(0.004, 3) == 9.0
    assert line.read(0.005, 3) == 0.0


@pytest.mark.backends_lack(
    "dl",
    reason="nengo-dl evaluates a Node without inputs ahead of the steps that feed it: "
    "the target stays zero, so nengo-lmu gui refuses --backend dl",
)
@pytest.mark.slow_on("loihi-sim")
def test_learn_delay_model_target_follows_the_input_and_switch_gates_learning(Simulator):
    model = learn_delay_model()
    with model:
        p_stim = nengo.Probe(model.stim)
        p_target = nengo.Probe(model.target)
        p_output = nengo.Probe(model.readout.output)
    model.learning_switch.output = [0.0]  # what the slider does: learning off
    with Simulator(model) as sim:
        sim.run(0.7)
    lag = 500  # 0.5 s at 1 ms
    assert np.allclose(sim.data[p_target][lag:], sim.data[p_stim][:-lag], atol=1e-6)
    assert np.ptp(sim.data[p_stim]) > 0.1
    # PES starts from zero weights: without learning, no output at all
    assert np.all(sim.data[p_output] == 0)


def test_gui_refuses_nengo_dl():
    with pytest.raises(ValidationError, match="nengo-dl is not offered"):
        make_gui("learn-delay", backend="dl")


def test_mackey_glass_model_feeds_the_memory_late_only_while_learning():
    model = mackey_glass_model()
    shift = 150  # 15 samples of 10 steps
    t = 2.0
    assert model.readout.learning
    late = model.feed.output(t)
    model.readout.learning = False
    assert model.feed.output(t) == model.now.output(t) != late
    assert model.future.output(t) == model.now.output(t + shift * 0.001)


@pytest.mark.parametrize("name", list(GUI_DEMOS))
def test_layout_names_existing_objects(name):
    """Every line of a demo's .cfg runs: nengo-gui skips a failing line silently."""
    pytest.importorskip("nengo_gui", reason="nengo-gui is the 'gui' extra")
    import nengo_gui  # pylint: disable=import-outside-toplevel
    import nengo_gui.config  # pylint: disable=import-outside-toplevel

    namespace = {"model": MODELS[name](), "nengo_gui": nengo_gui,
                 "_viz_config": nengo_gui.config.Config()}
    lines = pathlib.Path(f"{demo_script(name)}.cfg").read_text().splitlines()
    for line in lines:
        exec(line, namespace)  # pylint: disable=exec-used
    components = [type(v).__name__ for k, v in namespace.items() if k.startswith("_viz_")
                  and isinstance(v, nengo_gui.components.Component)]
    assert components.count("Value") == 3  # target and output, error, memory state
    assert "Raster" in components
    sliders = [v.node for v in namespace.values() if isinstance(v, nengo_gui.components.Slider)]
    assert namespace["model"].learning_switch in sliders


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def test_command_prints_its_url_on_one_line_and_serves_it():
    pytest.importorskip("nengo_gui", reason="nengo-gui is the 'gui' extra")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nengo_lmu.cli", "gui", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.fullmatch(rf"url=(http://localhost:{port}/\?token=\w+)\n", line)
        assert match, line
        with urllib.request.urlopen(match.group(1), timeout=30) as page:
            assert page.status == 200
            assert b"Nengo" in page.read()
    finally:
        process.terminate()
        process.wait(timeout=30)


def chromium_driver():
    """A headless Chromium driven by selenium, or a skip that says what is missing."""
    pytest.importorskip("nengo_gui", reason="nengo-gui is the 'gui' extra")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip("no Chromium here: apt-get install chromium chromium-driver")
    # pylint: disable=import-outside-toplevel
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1400,800"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(driver), options=options)


def wait_for(driver, script, timeout=30.0):
    """Run ``script`` (JavaScript returning a value) until it is truthy; return that."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


# JavaScript: the page's components by kind, and what a plot has received
FIND = "var c = Nengo.Component.components.filter(c => c instanceof Nengo.{kind});"
SIM_TIME = "return sim.time_slider.last_time;"
RECEIVED = FIND + "return c.map(p => [p.data_store.times.slice(), p.data_store.data]);"
SET_LEARNING = (
    FIND.format(kind="Slider")
    + "var s = c.find(s => s.label.textContent === 'learning');"
    + "s.sliders[0].fixed = true; s.sliders[0].set_value(arguments[0]); return true;"
)


def rms(x):
    return np.sqrt(np.mean(np.square(x)))


def run_until(driver, t):
    """Let the simulation run until ``t`` simulated seconds; return the time reached."""
    return wait_for(driver, f"var t = sim.time_slider.last_time; return t >= {t} ? t : 0;")


def comparison(driver, since):
    """The target and output the comparison plot received after ``since`` seconds."""
    plots = driver.execute_script(RECEIVED.format(kind="Value"))
    times, (target, output) = np.asarray(plots[0][0]), plots[0][1]
    keep = times > since
    return np.asarray(target)[keep], np.asarray(output)[keep]


def test_browser_shows_learning_and_the_switch_turns_it_off(tmp_path):
    """The learn-delay page in headless Chromium: play, learn, switch learning off and on.

    Learning off from the start: the output (PES from zero weights) stays
    near zero while the target moves. Learning on: the output grows and
    follows the target. Learning off again: the weights stay, so the output
    goes on moving with the input rather than falling back to zero.
    """
    driver = chromium_driver()
    layout = tmp_path / "layout.cfg"  # nengo-gui saves layouts: not into the source tree
    shutil.copy(f"{demo_script('learn-delay')}.cfg", layout)
    gui = make_gui("learn-delay", port=free_port(), filename_cfg=layout, thread=True)
    gui.start()
    try:
        gui.wait_for_startup()
        driver.get(str(gui.server.get_url()))
        wait_for(driver, "return typeof sim !== 'undefined' && "
                         "!document.getElementById('pause_button').disabled")
        assert driver.execute_script(SIM_TIME) == 0  # nengo-gui starts paused
        driver.find_element("id", "pause_button").click()  # play
        # learning off once running (nengo-gui drops a slider's value set
        # before the first step); the few steps learned before are negligible
        run_until(driver, 0.001)
        driver.execute_script(SET_LEARNING, 0)

        t_off = run_until(driver, 1.5)
        target, off_output = comparison(driver, since=0.5)
        assert rms(target) > 0.1
        assert rms(off_output) < 0.2 * rms(target)

        driver.execute_script(SET_LEARNING, 1)
        t_on = run_until(driver, t_off + 3.0)
        target, output = comparison(driver, since=t_on - 1.5)
        assert rms(output) > 3 * rms(off_output)
        assert np.corrcoef(target, output)[0, 1] > 0.5

        driver.execute_script(SET_LEARNING, 0)
        t_frozen = run_until(driver, t_on + 1.5)
        target, output = comparison(driver, since=t_frozen - 1.0)
        assert np.std(output) > 0.05

        # the other plots received data too: error, memory state, spikes
        values = driver.execute_script(RECEIVED.format(kind="Value"))
        assert len(values) == 3
        for times, data in values:
            assert times[-1] > t_on and np.ptp(np.asarray(data)) > 0.01
        rasters = driver.execute_script(RECEIVED.format(kind="Raster"))
        spikes = [s for row in rasters[0][1][0] for s in row]
        assert len(spikes) > 100
        screenshot = os.environ.get(SCREENSHOT_VAR) or str(tmp_path / "gui.png")
        driver.save_screenshot(screenshot)
    finally:
        driver.quit()
        gui.shutdown(10)
